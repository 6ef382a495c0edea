// Turns MeshEgressArgs into NormalizedArgs, or throws one error listing every problem, each naming the field and
// the offending value. Runs before the component registers any child.
import { GatewayHopTls, MeshEgressArgs, OutboundPolicyTarget, OutboundTrafficPolicyMode } from "../args";
import { NormalizedArgs } from "./normalized";
import { validateGateway } from "./gateway";
import { validateHosts } from "./hosts";
import { DNS_LABEL, MeshEgressArgsError, Problems, show } from "./problems";

export { MeshEgressArgsError } from "./problems";
export { normalizeHost } from "./names";

const MAX_COMPONENT_NAME = 40;

function validateAntiBypass(problems: Problems, value: unknown): NormalizedArgs["antiBypass"] {
    const antiBypass = problems.object("antiBypass", value);
    if (!antiBypass) return undefined;
    problems.unknownKeys("antiBypass", antiBypass, ["namespaces", "allowNamespaces", "dnsNamespace"]);
    const namespaces = problems.namespaces("antiBypass.namespaces", antiBypass.namespaces);
    if (namespaces.length === 0)
        problems.add("antiBypass.namespaces", "is required: the client namespaces to lock down");
    return {
        namespaces,
        allowNamespaces: problems.namespaces("antiBypass.allowNamespaces", antiBypass.allowNamespaces),
        dnsNamespace: problems.dnsLabel("antiBypass.dnsNamespace", antiBypass.dnsNamespace, "kube-system"),
    };
}

function validateExportTo(problems: Problems, value: unknown): string[] {
    if (value === undefined) return ["*"];
    if (!Array.isArray(value) || value.length === 0) {
        problems.add("exportTo", `${show(value)} must be a non-empty list of namespaces, "." or "*"`);
        return ["*"];
    }
    for (const namespace of value) {
        if (namespace !== "*" && namespace !== "." && (typeof namespace !== "string" || !DNS_LABEL.test(namespace))) {
            problems.add("exportTo", `${show(namespace)} is not a namespace, "." or "*"`);
        }
    }
    if (value.includes("*") && value.length > 1)
        problems.add("exportTo", '"*" already means every namespace; list it alone');
    return value as string[];
}

/** Validates and defaults MeshEgress arguments; throws MeshEgressArgsError listing every problem. */
export function validateArgs(componentName: string, rawArgs: MeshEgressArgs | undefined): NormalizedArgs {
    const problems = new Problems();
    if (
        typeof componentName !== "string" ||
        !DNS_LABEL.test(componentName) ||
        componentName.length > MAX_COMPONENT_NAME
    ) {
        problems.add(
            "name",
            `${show(componentName)} must be a lower-case DNS label (letters, digits and "-") of at most ` +
                `${MAX_COMPONENT_NAME} characters, because it prefixes Kubernetes object names`,
        );
    }
    const args = problems.object("args", rawArgs ?? {}) ?? {};
    problems.unknownKeys("args", args, [
        "hosts",
        "gateway",
        "existingGateway",
        "gatewayHopTls",
        "exportTo",
        "antiBypass",
        "accessLog",
        "outboundTrafficPolicy",
        "istio",
        "istioCluster",
    ]);
    const hopTls = problems.enumValue("gatewayHopTls", args.gatewayHopTls, GatewayHopTls, GatewayHopTls.IstioMutual);
    const exportTo = validateExportTo(problems, args.exportTo);
    const hosts = validateHosts(problems, args.hosts, hopTls);
    const gateway = validateGateway(problems, args, componentName);

    const istio = problems.object("istio", args.istio) ?? {};
    problems.unknownKeys("istio", istio, ["namespace", "revision", "rootNamespace"]);
    const istioNamespace = problems.dnsLabel("istio.namespace", istio.namespace, "istio-system");
    const revision = istio.revision === "" ? "" : problems.dnsLabel("istio.revision", istio.revision, "");
    const rootNamespace = problems.dnsLabel("istio.rootNamespace", istio.rootNamespace, istioNamespace);

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
        problems.add("outboundTrafficPolicy.namespaces", `applies only to target NAMESPACE_SIDECARS, not ${target}`);
    }
    const antiBypass = validateAntiBypass(problems, args.antiBypass);
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

    if (problems.list.length > 0) throw new MeshEgressArgsError(String(componentName), problems.list);
    return {
        name: componentName,
        hosts,
        hopTls,
        exportTo,
        gateway,
        istio: {
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
    };
}
