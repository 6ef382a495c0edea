// Under GATEWAY_API the shared Gateway is bound to the gateway's Service by name, and istiod builds its listeners
// only on ports that Service exposes (test/dataplane shows it). MeshEgress writes its own gateway's Service; an
// existing gateway's must already expose every gateway port, or the hosts on a missing port fail at the gateway.
import { BoundGatewayService } from "../plan/gateway";

/**
 * The problem with the existing gateway's Service as the cluster serves it (undefined when the Service does not
 * exist), if any.
 */
export function unexposedGatewayPorts(
    need: BoundGatewayService,
    service: { spec?: { ports?: { port?: number }[] } } | undefined,
): string | undefined {
    const where = `the existing gateway's Service ${need.namespace}/${need.name}`;
    const wanted = need.ports.map((p) => `${p.number} (${p.name})`).join(", ");
    const binding = "routingApi GATEWAY_API binds the Gateway to it, and istiod listens only on the ports it exposes";
    if (!service) return `${where} does not exist: ${binding}. Create it with the gateway ports ${wanted}`;
    const exposed = new Set((service.spec?.ports ?? []).map((p) => p.port));
    const missing = need.ports.filter((p) => !exposed.has(p.number));
    if (missing.length === 0) return undefined;
    return (
        `${where} lacks port(s) ${missing.map((p) => `${p.number} (${p.name})`).join(", ")}: ${binding}, so the ` +
        `hosts on those ports would fail at the gateway. Add them to the Service (it needs ${wanted}), or use ` +
        "routingApi ISTIO, whose Gateway listens on the pods' ports"
    );
}
