// Who may reach which host, and that nothing leaves around the gateway: AuthorizationPolicies on the gateway,
// NetworkPolicies for client namespaces, and the gateway's access log (Istio task "Egress Gateways", "Additional
// security considerations"; Telemetry API task "Access Logs").
import { NormalizedArgs, NormalizedHost, SidecarArgs } from "../validate/normalized";
import { Manifest } from "./manifest";
import { derivedName, hostObjectName } from "../naming/hosts";
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

/** The source of a DENY rule: every caller that is none of the host's `from` sources (the fields are ANDed). */
function notTheSources(host: NormalizedHost): Record<string, unknown> {
    const negated: Record<string, unknown> = {};
    for (const source of sourcesOf(host)) {
        if (source.namespaces) negated.notNamespaces = source.namespaces;
        if (source.principals) negated.notPrincipals = source.principals;
    }
    return negated;
}

/**
 * Per host with `from`, a DENY policy on the gateway pods for every other caller, on the host's own filter chain:
 * the pod port it arrives on and the hop's SNI, which names the host (a name under a wildcard). DENY rules compose:
 * each matches only its host's chain, so a second MeshEgress on the same gateway, or routes written by hand, are
 * untouched — where an ALLOW policy would make Istio deny every request on the gateway that no ALLOW matches.
 * Connection-level (port and SNI) for every protocol, never the Host header: HTTP-only fields are dropped from a
 * DENY on TCP chains, which would widen it to the whole port. Callers without a mesh identity (no mTLS) match the
 * negated sources, so they are denied too.
 */
export function gatewaySourceDenials(args: SidecarArgs, labels: Record<string, string>): Map<string, Manifest> {
    const denials = new Map<string, Manifest>();
    for (const host of args.hosts.filter((h) => h.sources !== undefined)) {
        denials.set(host.host, {
            apiVersion: args.istio.apis.security,
            kind: "AuthorizationPolicy",
            metadata: {
                name: hostObjectName(args.name, host.host, "sources"),
                namespace: args.gateway.namespace,
                labels,
                annotations: { "mesh-egress.io/host": host.host },
            },
            spec: {
                selector: { matchLabels: args.gateway.selector },
                action: "DENY",
                rules: [
                    {
                        from: [{ source: notTheSources(host) }],
                        to: [{ operation: { ports: [String(podPort(args, host.gatewayPort))] } }],
                        // The gateway's filter chain for the host matches the hop's SNI against the host (the
                        // wildcard itself for a wildcard host: a suffix match, as the chain's).
                        when: [{ key: "connection.sni", values: [host.host] }],
                    },
                ],
            },
        });
    }
    return denials;
}

function namespaceSelector(namespace: string): Record<string, unknown> {
    return { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } } };
}

/**
 * A rule admitting the selected pods of the namespaces on the TCP ports given; none without ports, as a rule without
 * ports admits every port (a gateway's Envoy admin port among them).
 */
function podsOnPorts(
    namespaces: string[],
    selector: Record<string, string>,
    ports: number[],
): Record<string, unknown>[] {
    if (ports.length === 0) return [];
    return [
        {
            to: namespaces.map((namespace) => ({
                ...namespaceSelector(namespace),
                podSelector: { matchLabels: selector },
            })),
            ports: ports.map((port) => ({ protocol: "TCP", port })),
        },
    ];
}

/** The port of istiod's xDS and certificate service, which every sidecar dials. */
export const CONTROL_PLANE_PORT = 15012;

/**
 * Per client namespace: egress only to cluster DNS on 53, istiod's pods on its xDS port, the gateway (or waypoint)
 * pods on their ports, the namespace itself and the allowed namespaces. Everything else is dropped: the internet, and
 * every other pod and port of the Istio namespace (an ingress gateway there would be a way out around the egress
 * gateway). Each peer names its pods, as a namespace alone would admit all of them.
 */
export function antiBypassPolicies(
    args: NormalizedArgs,
    labels: Record<string, string>,
    gatewayPorts: number[],
): Manifest[] {
    if (!args.antiBypass) return [];
    const { namespaces, allowNamespaces, dnsNamespace, controlPlaneSelector } = args.antiBypass;
    const egress = [
        {
            to: [namespaceSelector(dnsNamespace)],
            ports: [
                { protocol: "UDP", port: 53 },
                { protocol: "TCP", port: 53 },
            ],
        },
        ...podsOnPorts([args.istio.namespace], controlPlaneSelector, [CONTROL_PLANE_PORT]),
        // A NetworkPolicy sees the pod's port, after the Service's translation.
        ...podsOnPorts(
            args.dataplane === "AMBIENT" ? args.waypointNamespaces : [args.gateway.namespace],
            args.gateway.selector,
            gatewayPorts.map((port) => podPort(args, port)),
        ),
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
    namespace = args.gateway.namespace,
): Manifest[] {
    if (!args.accessLog.enabled) return [];
    return [
        {
            apiVersion: args.istio.apis.telemetry,
            kind: "Telemetry",
            metadata: {
                name: derivedName(args.gateway.serviceName, "access-log"),
                namespace,
                labels,
            },
            spec: {
                ...attachment,
                accessLogging: [{ providers: [{ name: args.accessLog.provider }] }],
            },
        },
    ];
}
