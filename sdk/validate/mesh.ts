// The mesh-wide sections of the arguments: the Istio control plane, the outbound traffic policy, the anti-bypass
// NetworkPolicies and the gateway's access log. Each reports its problems and returns its normalized form.
import { OutboundPolicyTarget, OutboundTrafficPolicyMode } from "../args";
import { DEFAULTS } from "../args/defaults";
import { istioApiVersions, validateIstioVersion } from "./istioRelease";
import { NormalizedAntiBypass, NormalizedArgs, NormalizedIstio } from "./normalized";
import { Problems, show } from "./problems";

/** The Istio section; `minor` undefined when the version was refused (the arguments are refused then). */
export function validateIstio(problems: Problems, value: unknown): { istio: NormalizedIstio; minor?: number } {
    const istio = problems.object("istio", value) ?? {};
    problems.unknownKeys("istio", istio, ["version", "namespace", "revision", "rootNamespace"]);
    const minor = validateIstioVersion(problems, istio.version ?? DEFAULTS["IstioControlPlane.version"]);
    const namespace = problems.dnsLabel("istio.namespace", istio.namespace, DEFAULTS["IstioControlPlane.namespace"]);
    const revision =
        istio.revision === ""
            ? ""
            : problems.dnsLabel("istio.revision", istio.revision, DEFAULTS["IstioControlPlane.revision"]);
    const rootNamespace = problems.dnsLabel("istio.rootNamespace", istio.rootNamespace, namespace);
    const known = minor ?? 0;
    return {
        minor,
        istio: {
            version: `1.${known}`,
            minor: known,
            apis: istioApiVersions(known),
            namespace,
            revision,
            rootNamespace,
            meshConfigMapName: revision ? `istio-${revision}` : "istio",
        },
    };
}

export function validatePolicy(problems: Problems, value: unknown): NormalizedArgs["policy"] {
    const policy = problems.object("outboundTrafficPolicy", value) ?? {};
    problems.unknownKeys("outboundTrafficPolicy", policy, ["mode", "target", "namespaces"]);
    const mode = problems.enumValue(
        "outboundTrafficPolicy.mode",
        policy.mode,
        OutboundTrafficPolicyMode,
        DEFAULTS["OutboundTrafficPolicy.mode"],
    );
    const target = problems.enumValue(
        "outboundTrafficPolicy.target",
        policy.target,
        OutboundPolicyTarget,
        DEFAULTS["OutboundTrafficPolicy.target"],
    );
    const namespaces = problems.namespaces("outboundTrafficPolicy.namespaces", policy.namespaces);
    if (target === OutboundPolicyTarget.NamespaceSidecars && namespaces.length === 0) {
        problems.add("outboundTrafficPolicy.namespaces", "is required for target NAMESPACE_SIDECARS");
    }
    if (target !== OutboundPolicyTarget.NamespaceSidecars && policy.namespaces !== undefined) {
        problems.add(
            "outboundTrafficPolicy.namespaces",
            `${show(policy.namespaces)} applies only to target NAMESPACE_SIDECARS, not ${target}`,
        );
    }
    return { mode, target, namespaces };
}

/** Namespaces whose egress an anti-bypass NetworkPolicy would cut from what the mesh itself needs. */
function meshNamespaces(egressNamespaces: string[], istioNamespace: string, dnsNamespace: string): Map<string, string> {
    const [gatewayNamespace, ...shards] = egressNamespaces;
    return new Map([
        ["kube-system", "Kubernetes' own components run there"],
        [dnsNamespace, "cluster DNS must reach its upstream resolvers"],
        [istioNamespace, "istiod must reach the API server and its peers"],
        ...shards.map((shard): [string, string] => [shard, "the egress waypoint there must reach the external hosts"]),
        [gatewayNamespace, "the egress gateway itself must reach the external hosts"],
    ]);
}

/** `egressNamespaces`: where the egress proxies run (the gateway's namespace, then any further waypoints'). */
export function validateAntiBypass(
    problems: Problems,
    value: unknown,
    egressNamespaces: string[],
    istioNamespace: string,
): NormalizedAntiBypass | undefined {
    const antiBypass = problems.object("antiBypass", value);
    if (!antiBypass) return undefined;
    problems.unknownKeys("antiBypass", antiBypass, [
        "namespaces",
        "allowNamespaces",
        "dnsNamespace",
        "controlPlaneSelector",
    ]);
    const dnsNamespace = problems.dnsLabel(
        "antiBypass.dnsNamespace",
        antiBypass.dnsNamespace,
        DEFAULTS["AntiBypass.dnsNamespace"],
        "namespace",
    );
    const namespaces = problems.namespaces("antiBypass.namespaces", antiBypass.namespaces);
    if (antiBypass.namespaces === undefined || (Array.isArray(antiBypass.namespaces) && namespaces.length === 0)) {
        problems.add(
            "antiBypass.namespaces",
            `${show(antiBypass.namespaces)} must list the client namespaces to lock down`,
        );
    }
    const forbidden = meshNamespaces(egressNamespaces, istioNamespace, dnsNamespace);
    namespaces.forEach((namespace) => {
        const why = forbidden.get(namespace);
        if (why) {
            const i = (antiBypass.namespaces as unknown[]).indexOf(namespace);
            problems.add(
                `antiBypass.namespaces[${i}]`,
                `${show(namespace)} must not be locked down: ${why}, and the policy would allow it only the gateway`,
            );
        }
    });
    const allowNamespaces =
        antiBypass.allowNamespaces === undefined
            ? [...DEFAULTS["AntiBypass.allowNamespaces"]]
            : problems.namespaces("antiBypass.allowNamespaces", antiBypass.allowNamespaces);
    const controlPlaneSelector =
        antiBypass.controlPlaneSelector === undefined
            ? { ...DEFAULTS["AntiBypass.controlPlaneSelector"] }
            : (problems.labels("antiBypass.controlPlaneSelector", antiBypass.controlPlaneSelector, "istiod's pods") ??
              {});
    return { namespaces, allowNamespaces, dnsNamespace, controlPlaneSelector };
}

/** The NetworkPolicies let pods reach only the gateway: the undeclared calls an audit lets through would fail. */
export function refuseAuditBehindAntiBypass(
    problems: Problems,
    policy: NormalizedArgs["policy"],
    antiBypass: NormalizedAntiBypass | undefined,
): void {
    if (!antiBypass || policy.mode !== OutboundTrafficPolicyMode.Audit) return;
    const audited =
        policy.target === OutboundPolicyTarget.NamespaceSidecars
            ? antiBypass.namespaces.filter((namespace) => policy.namespaces.includes(namespace))
            : antiBypass.namespaces;
    if (audited.length > 0) {
        problems.add(
            "antiBypass.namespaces",
            `${show(audited)} would have their undeclared calls cut off at the network, which ` +
                "outboundTrafficPolicy.mode AUDIT lets through and logs; lock them down when you switch to REGISTRY_ONLY",
        );
    }
}

/** The access log; on by default only where MeshEgress deploys the egress point (its owner). */
export function validateAccessLog(
    problems: Problems,
    value: unknown,
    deploysEgressPoint: boolean,
): NormalizedArgs["accessLog"] {
    const accessLog = problems.object("accessLog", value) ?? {};
    problems.unknownKeys("accessLog", accessLog, ["enabled", "provider"]);
    if (accessLog.provider !== undefined && (typeof accessLog.provider !== "string" || accessLog.provider === "")) {
        problems.add("accessLog.provider", `${show(accessLog.provider)} must be a provider name`);
    }
    return {
        enabled: problems.boolean("accessLog.enabled", accessLog.enabled, deploysEgressPoint),
        provider: typeof accessLog.provider === "string" ? accessLog.provider : DEFAULTS["AccessLog.provider"],
    };
}
