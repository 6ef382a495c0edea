// Who may reach which host, and that nothing leaves around the gateway: AuthorizationPolicies on the gateway,
// NetworkPolicies for client namespaces, and the gateway's access log (Istio task "Egress Gateways", "Additional
// security considerations"; Telemetry API task "Access Logs").
import { GatewayHopTls } from "../args";
import { NormalizedArgs, NormalizedHost, SidecarArgs } from "../validate/normalized";
import { Manifest } from "./manifest";
import { derivedName, hopSni, hostObjectName } from "../naming/hosts";
import { podPort } from "./gateway";

/** Whether MeshEgress authorizes callers at the gateway: as soon as one host restricts its sources. */
export function authorizesCallers(args: NormalizedArgs): boolean {
    return args.hosts.some((h) => h.sources !== undefined);
}

/**
 * A host's `from` as AuthorizationPolicy sources: one for the whole namespaces, one for the ServiceAccounts (matched
 * by suffix, so the rule holds whatever the mesh's trust domain is). Empty when the host names none.
 */
export function sourcesOf(host: NormalizedHost): Record<string, unknown>[] {
    const sources = host.sources ?? [];
    const namespaces = sources.filter((s) => !s.serviceAccount).map((s) => s.namespace);
    const principals = sources.filter((s) => s.serviceAccount).map((s) => `*/ns/${s.namespace}/sa/${s.serviceAccount}`);
    return [...(namespaces.length > 0 ? [{ namespaces }] : []), ...(principals.length > 0 ? [{ principals }] : [])];
}

/** What identifies the host's traffic at the gateway: the HTTP authority, or the port (and the hop's SNI). */
function destinationRule(args: SidecarArgs, host: NormalizedHost): Record<string, unknown> {
    if (host.appProtocol === "HTTP") {
        return { to: [{ operation: { hosts: [host.host, `${host.host}:${host.port}`] } }] };
    }
    // The gateway sees the port its pods listen on.
    const rule: Record<string, unknown> = {
        to: [{ operation: { ports: [String(podPort(args, host.gatewayPort))] } }],
    };
    const sni = args.hopTls === GatewayHopTls.IstioMutual ? hopSni(host) : host.host;
    if (host.appProtocol === "TLS" || args.hopTls === GatewayHopTls.IstioMutual) {
        rule.when = [{ key: "connection.sni", values: [sni] }];
    }
    return rule;
}

/**
 * One ALLOW policy per host on the gateway pods. Once any ALLOW policy selects a workload, Istio denies every request
 * no policy allows, so the gateway serves exactly the declared sources, each only its declared hosts.
 */
export function gatewayAuthorization(args: SidecarArgs, labels: Record<string, string>): Manifest[] {
    if (!authorizesCallers(args)) return [];
    return args.hosts.map((host) => {
        const from = host.sources ? sourcesOf(host).map((source) => ({ source })) : undefined;
        return {
            apiVersion: args.istio.apis.security,
            kind: "AuthorizationPolicy",
            metadata: {
                name: hostObjectName(args.name, host.host),
                namespace: args.gateway.namespace,
                labels,
                annotations: { "mesh-egress.io/host": host.host },
            },
            spec: {
                selector: { matchLabels: args.gateway.selector },
                action: "ALLOW",
                rules: [{ ...(from ? { from } : {}), ...destinationRule(args, host) }],
            },
        };
    });
}

function namespaceSelector(namespace: string): Record<string, unknown> {
    return { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } } };
}

/**
 * Per client namespace: egress only to cluster DNS, the Istio namespace (istiod), the gateway pods on their ports,
 * the namespace itself and the allowed namespaces. Everything else, the internet included, is dropped.
 */
export function antiBypassPolicies(
    args: NormalizedArgs,
    labels: Record<string, string>,
    gatewayPorts: number[],
): Manifest[] {
    if (!args.antiBypass) return [];
    const { namespaces, allowNamespaces, dnsNamespace } = args.antiBypass;
    const egress = [
        {
            to: [namespaceSelector(dnsNamespace)],
            ports: [
                { protocol: "UDP", port: 53 },
                { protocol: "TCP", port: 53 },
            ],
        },
        { to: [namespaceSelector(args.istio.namespace)] },
        {
            to: [{ ...namespaceSelector(args.gateway.namespace), podSelector: { matchLabels: args.gateway.selector } }],
            // A NetworkPolicy sees the pod's port, after the Service's translation.
            ports: gatewayPorts.map((port) => ({ protocol: "TCP", port: podPort(args, port) })),
        },
        { to: [{ podSelector: {} }] },
        ...allowNamespaces.map((namespace) => ({ to: [namespaceSelector(namespace)] })),
    ];
    return namespaces.map((namespace) => ({
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: derivedName(args.name, "egress-only-via-gateway"), namespace, labels },
        spec: { podSelector: {}, policyTypes: ["Egress"], egress },
    }));
}

/**
 * Access logging on the egress point only: one audit point for everything that leaves. `attachment` says which
 * proxies: the gateway pods by default, the waypoint through `targetRefs` under the ambient data plane.
 */
export function gatewayAccessLog(
    args: NormalizedArgs,
    labels: Record<string, string>,
    attachment: Record<string, unknown> = { selector: { matchLabels: args.gateway.selector } },
): Manifest[] {
    if (!args.accessLog.enabled) return [];
    return [
        {
            apiVersion: args.istio.apis.telemetry,
            kind: "Telemetry",
            metadata: {
                name: derivedName(args.gateway.serviceName, "access-log"),
                namespace: args.gateway.namespace,
                labels,
            },
            spec: {
                ...attachment,
                accessLogging: [{ providers: [{ name: args.accessLog.provider }] }],
            },
        },
    ];
}
