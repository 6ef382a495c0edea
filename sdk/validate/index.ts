// Turns MeshEgressArgs into NormalizedArgs, or throws one error listing every problem, each naming the field and
// the offending value. Runs before the component registers any child.
import { FIRST_ISTIO_MINOR_WITH, istioApiVersions, validateIstioVersion } from "./istioRelease";
import { GatewayHopTls, MeshEgressArgs, OutboundPolicyTarget, OutboundTrafficPolicyMode, RoutingApi } from "../args";
import { NormalizedArgs, NormalizedGateway } from "./normalized";
import { validateDataplane } from "./ambient";
import { validateGateway, validatePodPortsDistinct } from "./gateway";
import { validateHosts } from "./hosts";
import { dns1123LabelProblem } from "./kubernetes";
import { MeshEgressArgsError, Problems, show } from "./problems";

export { MeshEgressArgsError } from "./problems";
export { normalizeHost } from "./names";

/** Component names: they prefix Kubernetes object names (shortened with a hash when long) and the gateway Service's. */
const COMPONENT_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const MAX_COMPONENT_NAME = 253;

/** Namespaces whose egress an anti-bypass NetworkPolicy would cut from what the mesh itself needs. */
function meshNamespaces(gatewayNamespace: string, istioNamespace: string, dnsNamespace: string): Map<string, string> {
    return new Map([
        ["kube-system", "Kubernetes' own components run there"],
        [dnsNamespace, "cluster DNS must reach its upstream resolvers"],
        [istioNamespace, "istiod must reach the API server and its peers"],
        [gatewayNamespace, "the egress gateway itself must reach the external hosts"],
    ]);
}

function validateAntiBypass(
    problems: Problems,
    value: unknown,
    gatewayNamespace: string,
    istioNamespace: string,
): NormalizedArgs["antiBypass"] {
    const antiBypass = problems.object("antiBypass", value);
    if (!antiBypass) return undefined;
    problems.unknownKeys("antiBypass", antiBypass, ["namespaces", "allowNamespaces", "dnsNamespace"]);
    const dnsNamespace = problems.dnsLabel(
        "antiBypass.dnsNamespace",
        antiBypass.dnsNamespace,
        "kube-system",
        "namespace",
    );
    const namespaces = problems.namespaces("antiBypass.namespaces", antiBypass.namespaces);
    if (antiBypass.namespaces === undefined || (Array.isArray(antiBypass.namespaces) && namespaces.length === 0)) {
        problems.add(
            "antiBypass.namespaces",
            `${show(antiBypass.namespaces)} must list the client namespaces to lock down`,
        );
    }
    const forbidden = meshNamespaces(gatewayNamespace, istioNamespace, dnsNamespace);
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
    return {
        namespaces,
        allowNamespaces: problems.namespaces("antiBypass.allowNamespaces", antiBypass.allowNamespaces),
        dnsNamespace,
    };
}

function validateRoutingApi(
    problems: Problems,
    value: unknown,
    istioMinor: number | undefined,
    gateway: NormalizedGateway,
): RoutingApi {
    const routingApi = problems.enumValue("routingApi", value, RoutingApi, RoutingApi.Istio);
    if (routingApi !== RoutingApi.GatewayApi) return routingApi;
    const first = FIRST_ISTIO_MINOR_WITH.gatewayApiRoutes;
    if (istioMinor !== undefined && istioMinor < first) {
        problems.add(
            "routingApi",
            `"GATEWAY_API" needs istio.version 1.${first} or later (the first release verified to route with ` +
                `ListenerSet and TLSRoute of gateway.networking.k8s.io/v1), not 1.${istioMinor}; use "ISTIO"`,
        );
    }
    if (gateway.workload?.asm) {
        problems.add(
            "gateway.asm",
            'cannot be combined with routingApi "GATEWAY_API": ASM names and configures its IstioGateway\'s ' +
                'Service itself, so no Gateway API Gateway can be bound to it; use routingApi "ISTIO"',
        );
    }
    return routingApi;
}

function validateExportTo(problems: Problems, value: unknown): string[] {
    if (value === undefined || !problems.known("exportTo", value)) return ["*"];
    if (!Array.isArray(value) || value.length === 0) {
        problems.add("exportTo", `${show(value)} must be a non-empty list of namespaces, "." or "*"`);
        return ["*"];
    }
    problems.uniqueList("exportTo", value, "namespaces");
    value.forEach((namespace, i) => {
        if (
            namespace !== "*" &&
            namespace !== "." &&
            (typeof namespace !== "string" || dns1123LabelProblem(namespace))
        ) {
            problems.add(`exportTo[${i}]`, `${show(namespace)} is not a namespace, "." or "*"`);
        }
    });
    if (value.includes("*") && value.length > 1) {
        problems.add("exportTo", `${show(value)}: "*" already means every namespace; list it alone`);
    }
    return [...new Set(value)] as string[];
}

/** Validates and defaults MeshEgress arguments; throws MeshEgressArgsError listing every problem. */
export function validateArgs(componentName: string, rawArgs: MeshEgressArgs | undefined): NormalizedArgs {
    const problems = new Problems();
    if (
        typeof componentName !== "string" ||
        !COMPONENT_NAME.test(componentName) ||
        componentName.length > MAX_COMPONENT_NAME
    ) {
        problems.add(
            "name",
            `${show(componentName)} must be lower-case letters, digits and "-", starting with a letter and ending ` +
                `with a letter or digit, at most ${MAX_COMPONENT_NAME} characters: it prefixes Kubernetes object ` +
                "names, the gateway Service's among them (names that get too long are shortened with a hash)",
        );
    }
    const args = problems.object("args", rawArgs ?? {}) ?? {};
    problems.unknownKeys("args", args, [
        "hosts",
        "gateway",
        "existingGateway",
        "gatewayHopTls",
        "routingApi",
        "dataplane",
        "existingWaypoint",
        "exportTo",
        "antiBypass",
        "accessLog",
        "outboundTrafficPolicy",
        "istio",
        "istioCluster",
        "clusterCheck",
    ]);
    const hopTls = problems.enumValue("gatewayHopTls", args.gatewayHopTls, GatewayHopTls, GatewayHopTls.IstioMutual);
    const exportTo = validateExportTo(problems, args.exportTo);
    // The data plane decides how wildcards are routed; validateDataplane reports a bad value.
    const hosts = validateHosts(problems, args.hosts, hopTls, exportTo, args.dataplane === "AMBIENT");
    const gateway = validateGateway(problems, args, componentName);
    validatePodPortsDistinct(
        problems,
        gateway,
        hosts.map((h) => h.gatewayPort),
    );

    const istio = problems.object("istio", args.istio) ?? {};
    problems.unknownKeys("istio", istio, ["version", "namespace", "revision", "rootNamespace"]);
    const istioMinor = validateIstioVersion(problems, istio.version);
    const istioNamespace = problems.dnsLabel("istio.namespace", istio.namespace, "istio-system");
    const revision = istio.revision === "" ? "" : problems.dnsLabel("istio.revision", istio.revision, "");
    const rootNamespace = problems.dnsLabel("istio.rootNamespace", istio.rootNamespace, istioNamespace);
    const routingApi = validateRoutingApi(problems, args.routingApi, istioMinor, gateway);

    const policy = problems.object("outboundTrafficPolicy", args.outboundTrafficPolicy) ?? {};
    problems.unknownKeys("outboundTrafficPolicy", policy, ["mode", "target", "namespaces"]);
    const mode = problems.enumValue(
        "outboundTrafficPolicy.mode",
        policy.mode,
        OutboundTrafficPolicyMode,
        OutboundTrafficPolicyMode.RegistryOnly,
    );
    const target = problems.enumValue(
        "outboundTrafficPolicy.target",
        policy.target,
        OutboundPolicyTarget,
        OutboundPolicyTarget.MeshConfig,
    );

    const policyNamespaces = problems.namespaces("outboundTrafficPolicy.namespaces", policy.namespaces);
    if (target === OutboundPolicyTarget.NamespaceSidecars && policyNamespaces.length === 0) {
        problems.add("outboundTrafficPolicy.namespaces", "is required for target NAMESPACE_SIDECARS");
    }
    if (target !== OutboundPolicyTarget.NamespaceSidecars && policy.namespaces !== undefined) {
        problems.add(
            "outboundTrafficPolicy.namespaces",
            `${show(policy.namespaces)} applies only to target NAMESPACE_SIDECARS, not ${target}`,
        );
    }
    const { dataplane, gateway: egressPoint } = validateDataplane(problems, args, {
        componentName,
        gateway,
        hopTls,
        routingApi,
        policyMode: mode,
        hasAntiBypass: args.antiBypass !== undefined,
        hosts,
        istioMinor,
    });
    const antiBypass = validateAntiBypass(problems, args.antiBypass, egressPoint.namespace, istioNamespace);
    if (antiBypass && mode === OutboundTrafficPolicyMode.Audit) {
        // The NetworkPolicies let pods reach only the gateway: the undeclared calls an audit lets through would fail.
        const audited =
            target === OutboundPolicyTarget.NamespaceSidecars
                ? antiBypass.namespaces.filter((namespace) => policyNamespaces.includes(namespace))
                : antiBypass.namespaces;
        if (audited.length > 0) {
            problems.add(
                "antiBypass.namespaces",
                `${show(audited)} would have their undeclared calls cut off at the network, which ` +
                    "outboundTrafficPolicy.mode AUDIT lets through and logs; lock them down when you switch to REGISTRY_ONLY",
            );
        }
    }
    const accessLog = problems.object("accessLog", args.accessLog) ?? {};
    problems.unknownKeys("accessLog", accessLog, ["enabled", "provider"]);
    if (accessLog.provider !== undefined && (typeof accessLog.provider !== "string" || accessLog.provider === "")) {
        problems.add("accessLog.provider", `${show(accessLog.provider)} must be a provider name`);
    }
    const accessLogEnabled = problems.boolean("accessLog.enabled", accessLog.enabled, true);

    const istioCluster = problems.object("istioCluster", args.istioCluster);
    if (istioCluster) {
        problems.unknownKeys("istioCluster", istioCluster, ["kubeconfig", "context"]);
        if (istioCluster.kubeconfig === undefined || istioCluster.kubeconfig === "") {
            problems.add("istioCluster.kubeconfig", "is required");
        }
    }

    const clusterCheck = problems.boolean("clusterCheck", args.clusterCheck, true);

    if (problems.list.length > 0) throw new MeshEgressArgsError(String(componentName), problems.list);
    return {
        name: componentName,
        hosts,
        hopTls,
        routingApi,
        dataplane,
        exportTo,
        gateway: egressPoint,
        istio: {
            version: `1.${istioMinor!}`,
            minor: istioMinor!,
            apis: istioApiVersions(istioMinor!),
            namespace: istioNamespace,
            revision,
            rootNamespace,
            meshConfigMapName: revision ? `istio-${revision}` : "istio",
        },
        policy: { mode, target, namespaces: policyNamespaces },
        ...(antiBypass ? { antiBypass } : {}),
        accessLog: {
            enabled: accessLogEnabled,
            provider: typeof accessLog.provider === "string" ? accessLog.provider : "envoy",
        },
        separateIstioCluster: istioCluster !== undefined,
        clusterCheck,
    };
}
