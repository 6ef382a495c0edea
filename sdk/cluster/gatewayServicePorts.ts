// An existing gateway listens where its Service sends each gateway port (istiod maps a Gateway's port to the Service's
// targetPort), while MeshEgress's clients reach the gateway pods directly on the port existingGateway.targetPorts
// gives. Under GATEWAY_API the Gateway is bound to the Service, and istiod listens only on the ports it exposes.
// test/dataplane shows both. A mismatch is an outage for the hosts on that port, so the cluster check refuses it.
import { BoundGatewayService, BoundPort } from "../plan/gateway";

interface LiveServicePort {
    port?: number;
    targetPort?: number | string;
}

const describePort = (p: BoundPort) => `${p.number} (${p.name})`;

/**
 * The problem with the existing gateway's Service as the cluster serves it (undefined: it does not exist), if any.
 */
export function gatewayServiceProblem(
    need: BoundGatewayService,
    service: { spec?: { ports?: LiveServicePort[] } } | undefined,
): string | undefined {
    const where = `the existing gateway's Service ${need.namespace}/${need.name}`;
    const live = new Map((service?.spec?.ports ?? []).map((p) => [p.port, p]));
    const absent = need.ports.filter((p) => !live.has(p.number));
    if (need.everyPortRequired && absent.length > 0) {
        const binding =
            "routingApi GATEWAY_API binds the Gateway to it, and istiod listens only on the ports it exposes";
        const wanted = need.ports.map(describePort).join(", ");
        if (!service) return `${where} does not exist: ${binding}. Create it with the gateway ports ${wanted}`;
        return (
            `${where} lacks port(s) ${absent.map(describePort).join(", ")}: ${binding}, so the hosts on those ports ` +
            `would fail at the gateway. Add them to the Service (it needs ${wanted}), or use routingApi ISTIO, ` +
            "whose Gateway listens on the pods' ports"
        );
    }
    // Where the gateway listens for each port: the Service's targetPort (a name cannot be checked here), else,
    // without the port on the Service, Istio's Gateway listens on the port's own number.
    const listening = (p: BoundPort): number | undefined => {
        const target = live.get(p.number)?.targetPort;
        if (typeof target === "string") return undefined;
        return target ?? p.number;
    };
    const mismatched = need.ports.filter((p) => listening(p) !== undefined && listening(p) !== p.targetPort);
    if (mismatched.length === 0) return undefined;
    const found = mismatched
        .map((p) => `port ${describePort(p)} on pod port ${listening(p)}, where it gives ${p.targetPort}`)
        .join("; ");
    const remapped = need.ports.filter((p) => (listening(p) ?? p.targetPort) !== p.number);
    const value = JSON.stringify(Object.fromEntries(remapped.map((p) => [p.number, listening(p) ?? p.targetPort])));
    return (
        `the gateway behind ${where} listens for ${found}: MeshEgress's clients reach the gateway pods on the port ` +
        "existingGateway.targetPorts gives (default: the port itself), so the hosts on those ports would fail. Set " +
        `existingGateway.targetPorts to ${value}`
    );
}
