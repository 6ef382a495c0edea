// Audit before deny (outboundTrafficPolicy.mode AUDIT): undeclared hosts stay reachable (ALLOW_ANY), and the client
// sidecars access-log exactly that traffic — connections Istio sends to its PassthroughCluster — so the cost is
// proportional to what is undeclared, and declared hosts (which go to the gateway) are not logged twice. One
// Telemetry where the policy is written: the root namespace (mesh-wide), or each namespace of NAMESPACE_SIDECARS.
// Istio's Telemetry API task "Access Logs" (filter.expression, CEL) and Envoy's `xds.cluster_name` attribute.
import { NormalizedArgs } from "../validate/normalized";
import { fitName } from "../naming/fit";
import { INTERNAL_DOMAIN, derivedName } from "../naming/hosts";
import { Manifest } from "./manifest";

/** The CEL filter that keeps only connections to undeclared hosts. */
export const PASSTHROUGH_ONLY = 'xds.cluster_name == "PassthroughCluster"';

/**
 * Where the audit reads names: a sidecar sends a connection on a port no ServiceEntry declares through its catch-all
 * listener, which neither parses HTTP nor reads the TLS SNI, so the log would show only an address. A listener on
 * the web's ports (HTTP 80, TLS 443) makes every undeclared call there show its Host or SNI.
 */
const NAMED_PORTS = [
    { number: 80, name: "http-audit", protocol: "HTTP" },
    { number: 443, name: "tls-audit", protocol: "TLS" },
];

function auditedNamespaces(args: NormalizedArgs): string[] {
    return args.policy.target === "NAMESPACE_SIDECARS" ? args.policy.namespaces : [args.istio.rootNamespace];
}

export function auditTelemetry(args: NormalizedArgs, labels: Record<string, string>): Manifest[] {
    if (args.policy.mode !== "AUDIT") return [];
    return auditedNamespaces(args).map((namespace) => ({
        apiVersion: args.istio.apis.telemetry,
        kind: "Telemetry",
        metadata: { name: derivedName(args.name, "audit"), namespace, labels },
        spec: {
            accessLogging: [
                { providers: [{ name: args.accessLog.provider }], filter: { expression: PASSTHROUGH_ONLY } },
            ],
        },
    }));
}

/**
 * A ServiceEntry whose only purpose is the listeners on the named ports no declared host uses (one using a port
 * sets its protocol there already; a TCP host's port must not get a TLS listener). Its one host, under MeshEgress's
 * reserved domain, has no endpoints, so calling it goes nowhere.
 */
export function auditListeners(args: NormalizedArgs, labels: Record<string, string>): Manifest[] {
    if (args.policy.mode !== "AUDIT") return [];
    const used = new Set(args.hosts.map((host) => host.port));
    const ports = NAMED_PORTS.filter((port) => !used.has(port.number));
    if (ports.length === 0) return [];
    return [
        {
            apiVersion: args.istio.apis.networking,
            kind: "ServiceEntry",
            // "---" never occurs in a host's object name (names.ts), so no host can take this one.
            metadata: { name: derivedName(args.name, "--audit"), namespace: args.gateway.namespace, labels },
            spec: {
                hosts: [`${fitName(args.name)}.audit.${INTERNAL_DOMAIN}`],
                location: "MESH_EXTERNAL",
                resolution: "STATIC",
                ports,
                exportTo: args.policy.target === "NAMESPACE_SIDECARS" ? args.policy.namespaces : ["*"],
            },
        },
    ];
}
