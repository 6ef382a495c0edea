// Audit before deny (outboundTrafficPolicy.mode AUDIT): undeclared hosts stay reachable (ALLOW_ANY), and the client
// sidecars access-log exactly that traffic — connections Istio sends to its PassthroughCluster — so the cost is
// proportional to what is undeclared, and declared hosts (which go to the gateway) are not logged twice. One
// Telemetry where the policy is written: the root namespace (mesh-wide), or each namespace of NAMESPACE_SIDECARS.
// Istio's Telemetry API task "Access Logs" (filter.expression, CEL) and Envoy's `xds.cluster_name` attribute.
import { NormalizedArgs } from "../validate/normalized";
import { ISTIO_TELEMETRY, Manifest } from "./manifest";
import { derivedName } from "./names";

/** The CEL filter that keeps only connections to undeclared hosts. */
export const PASSTHROUGH_ONLY = 'xds.cluster_name == "PassthroughCluster"';

export function auditTelemetry(args: NormalizedArgs, labels: Record<string, string>): Manifest[] {
    if (args.policy.mode !== "AUDIT") return [];
    const namespaces =
        args.policy.target === "NAMESPACE_SIDECARS" ? args.policy.namespaces : [args.istio.rootNamespace];
    return namespaces.map((namespace) => ({
        apiVersion: ISTIO_TELEMETRY,
        kind: "Telemetry",
        metadata: { name: derivedName(args.name, "audit"), namespace, labels },
        spec: {
            accessLogging: [
                { providers: [{ name: args.accessLog.provider }], filter: { expression: PASSTHROUGH_ONLY } },
            ],
        },
    }));
}
