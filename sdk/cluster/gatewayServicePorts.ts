// An existing gateway listens where its Service sends each gateway port (istiod maps a Gateway's port to the Service's
// targetPort), while MeshEgress's clients reach the gateway pods directly on the port existingGateway.targetPorts
// gives. Under GATEWAY_API the Gateway is bound to the Service, and istiod listens only on the ports it exposes.
// test/dataplane shows both. A mismatch is an outage for the hosts on that port, so the cluster check refuses it.
import { BoundGatewayService, BoundPort } from "../plan/gateway";

interface LiveServicePort {
    port?: number;
    targetPort?: number | string;
    protocol?: string;
}

interface LiveService {
    metadata?: { labels?: Record<string, string> };
    spec?: { ports?: LiveServicePort[] };
}

/** The label with which a Service opts out of istiod's port translation for label-selected Gateways. */
const NO_PORT_TRANSLATION = "experimental.istio.io/disable-gateway-port-translation";

const describePort = (p: BoundPort) => `${p.number} (${p.name})`;

/**
 * The problem with the existing gateway's Service as the cluster serves it (undefined: it does not exist), if any.
 */
export function gatewayServiceProblem(need: BoundGatewayService, service: LiveService | undefined): string | undefined {
    const where = `the existing gateway's Service ${need.namespace}/${need.name}`;
    const wanted = need.ports.map(describePort).join(", ");
    // The gateway listens on TCP; istiod takes the first Service port with a number.
    const live = new Map<number | undefined, LiveServicePort>();
    for (const p of service?.spec?.ports ?? []) {
        if ((p.protocol ?? "TCP") === "TCP" && !live.has(p.port)) live.set(p.port, p);
    }
    const absent = need.ports.filter((p) => !live.has(p.number));
    if (need.everyPortRequired && absent.length > 0) {
        const binding =
            "routingApi GATEWAY_API binds the Gateway to it, and istiod listens only on the ports it exposes";
        if (!service) return `${where} does not exist: ${binding}. Create it with the gateway ports ${wanted}`;
        return (
            `${where} lacks port(s) ${absent.map(describePort).join(", ")}: ${binding}, so the hosts on those ports ` +
            `would fail at the gateway. Add them to the Service (it needs ${wanted}), or use routingApi ISTIO, ` +
            "whose Gateway listens on the pods' ports"
        );
    }
    if (!service) {
        if (need.ports.every((p) => p.targetPort === p.number)) return undefined;
        return (
            `${where} does not exist, so nothing sends the gateway ports to the pod ports existingGateway.targetPorts ` +
            "gives: check existingGateway.serviceName and namespace, and the cluster"
        );
    }
    const translated = need.everyPortRequired || !(NO_PORT_TRANSLATION in (service.metadata?.labels ?? {}));
    // Where the gateway listens for each port: the Service's targetPort (a name cannot be checked here), else,
    // without the port on the Service or its translation, Istio's Gateway listens on the port's own number.
    const listening = (p: BoundPort): number | undefined => {
        const target = translated ? live.get(p.number)?.targetPort : undefined;
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
