// The gateway: a workload MeshEgress deploys, or an existing one it only routes to.
import { GatewayWorkload, NormalizedGateway } from "./normalized";
import { Problems } from "./problems";

const WORKLOAD_FIELDS = [
    "name",
    "namespace",
    "labels",
    "annotations",
    "replicas",
    "resources",
    "nodeSelector",
    "tolerations",
    "spreadAcrossNodes",
    "podDisruptionBudget",
    "autoscaling",
] as const;

export function validateGateway(
    problems: Problems,
    args: Record<string, unknown>,
    componentName: string,
): NormalizedGateway {
    const existing = problems.object("existingGateway", args.existingGateway);
    const gateway = problems.object("gateway", args.gateway);
    if (existing) {
        if (gateway) {
            const set = Object.keys(gateway).filter((k) => gateway[k] !== undefined);
            problems.add(
                "existingGateway",
                `cannot be combined with gateway (${set.map((k) => `gateway.${k}`).join(", ") || "gateway"}); ` +
                    "MeshEgress does not manage an existing gateway's workload",
            );
        }
        problems.unknownKeys("existingGateway", existing, ["selector", "serviceName", "namespace"]);
        const selector = problems.labels("existingGateway.selector", existing.selector);
        if (existing.selector === undefined) problems.add("existingGateway.selector", "is required");
        if (existing.serviceName === undefined) problems.add("existingGateway.serviceName", "is required");
        return {
            serviceName: problems.dnsLabel("existingGateway.serviceName", existing.serviceName, "invalid"),
            namespace: problems.dnsLabel("existingGateway.namespace", existing.namespace, "istio-system"),
            selector: selector ?? {},
        };
    }
    const g = gateway ?? {};
    problems.unknownKeys("gateway", g, WORKLOAD_FIELDS);
    const serviceName = problems.dnsLabel("gateway.name", g.name, `${componentName}-gateway`);
    problems.integer("gateway.replicas", g.replicas, 1, 1000);
    const pdb = problems.object("gateway.podDisruptionBudget", g.podDisruptionBudget) ?? {};
    problems.unknownKeys("gateway.podDisruptionBudget", pdb, ["enabled", "maxUnavailable"]);
    const workload: GatewayWorkload = {
        annotations: problems.annotations("gateway.annotations", g.annotations),
        replicas: g.replicas ?? 2,
        resources: g.resources,
        nodeSelector: g.nodeSelector,
        tolerations: g.tolerations,
        spreadAcrossNodes: problems.boolean("gateway.spreadAcrossNodes", g.spreadAcrossNodes, true),
        podDisruptionBudget: {
            enabled: problems.boolean("gateway.podDisruptionBudget.enabled", pdb.enabled, true),
            maxUnavailable: problems.plainInteger(
                "gateway.podDisruptionBudget.maxUnavailable",
                pdb.maxUnavailable,
                1,
                1000,
                1,
            ),
        },
    };
    const autoscaling = problems.object("gateway.autoscaling", g.autoscaling);
    if (autoscaling) {
        problems.unknownKeys("gateway.autoscaling", autoscaling, [
            "minReplicas",
            "maxReplicas",
            "targetCpuUtilizationPercentage",
        ]);
        const min = problems.plainInteger("gateway.autoscaling.minReplicas", autoscaling.minReplicas, 1, 1000, 2);
        const max = problems.plainInteger("gateway.autoscaling.maxReplicas", autoscaling.maxReplicas, 1, 1000, 5);
        if (max < min) {
            problems.add("gateway.autoscaling.maxReplicas", `${max} is less than minReplicas (${min})`);
        }
        const cpu = problems.plainInteger(
            "gateway.autoscaling.targetCpuUtilizationPercentage",
            autoscaling.targetCpuUtilizationPercentage,
            1,
            100,
            80,
        );
        workload.autoscaling = { minReplicas: min, maxReplicas: max, targetCpuUtilizationPercentage: cpu };
    }
    return {
        serviceName,
        namespace: problems.dnsLabel("gateway.namespace", g.namespace, "istio-system"),
        selector: problems.labels("gateway.labels", g.labels) ?? { istio: "egressgateway", app: serviceName },
        workload,
    };
}
