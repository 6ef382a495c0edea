// The gateway: a workload MeshEgress deploys, or an existing one it only routes to.
import { GatewayWorkload, NormalizedGateway } from "./normalized";
import { DEFAULTS } from "../args/defaults";
import { fitName } from "../naming/fit";
import { INT32_MAX, quantityValue, resourceQuantityProblem, tolerationProblems } from "./kubernetes";
import { Problems, isDeferred, show, validatePort } from "./problems";

const WORKLOAD_FIELDS = [
    "name",
    "namespace",
    "shardNamespaces",
    "labels",
    "annotations",
    "replicas",
    "resources",
    "nodeSelector",
    "tolerations",
    "spreadAcrossNodes",
    "podDisruptionBudget",
    "autoscaling",
    "asm",
] as const;

/** An ACK cluster ID as ASM lists them: lowercase letters and digits. */
const ACK_CLUSTER_ID = /^[a-z0-9]{1,64}$/;

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
        problems.unknownKeys("existingGateway", existing, ["selector", "serviceName", "namespace", "targetPorts"]);
        const selector = problems.labels("existingGateway.selector", existing.selector);
        if (existing.selector === undefined) problems.add("existingGateway.selector", "is required");
        if (existing.serviceName === undefined) problems.add("existingGateway.serviceName", "is required");
        return {
            serviceName: problems.serviceName("existingGateway.serviceName", existing.serviceName, "invalid"),
            namespace: problems.dnsLabel(
                "existingGateway.namespace",
                existing.namespace,
                DEFAULTS["ExistingGateway.namespace"],
                "namespace",
            ),
            selector: selector ?? {},
            targetPorts: validateTargetPorts(problems, existing.targetPorts),
        };
    }
    const g = gateway ?? {};
    problems.unknownKeys("gateway", g, WORKLOAD_FIELDS);
    const serviceName = problems.serviceName("gateway.name", g.name, fitName(`${componentName}-gateway`));
    validateResources(problems, g.resources);
    validateTolerations(problems, g.tolerations);
    problems.stringMap("gateway.nodeSelector", knownOrUndefined(g.nodeSelector), "label");
    problems.integer("gateway.replicas", g.replicas, 1, 1000);
    const pdb = problems.object("gateway.podDisruptionBudget", g.podDisruptionBudget) ?? {};
    problems.unknownKeys("gateway.podDisruptionBudget", pdb, ["enabled", "maxUnavailable"]);
    const workload: GatewayWorkload = {
        annotations: problems.annotations("gateway.annotations", g.annotations),
        replicas: g.replicas ?? DEFAULTS["EgressGateway.replicas"],
        resources: g.resources,
        nodeSelector: g.nodeSelector,
        tolerations: g.tolerations,
        spreadAcrossNodes: problems.boolean(
            "gateway.spreadAcrossNodes",
            g.spreadAcrossNodes,
            DEFAULTS["EgressGateway.spreadAcrossNodes"],
        ),
        podDisruptionBudget: {
            enabled: problems.boolean(
                "gateway.podDisruptionBudget.enabled",
                pdb.enabled,
                DEFAULTS["GatewayDisruptionBudget.enabled"],
            ),
            maxUnavailable: problems.plainInteger(
                "gateway.podDisruptionBudget.maxUnavailable",
                pdb.maxUnavailable,
                1,
                1000,
                DEFAULTS["GatewayDisruptionBudget.maxUnavailable"],
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
        const min = problems.plainInteger(
            "gateway.autoscaling.minReplicas",
            autoscaling.minReplicas,
            1,
            1000,
            DEFAULTS["GatewayAutoscaling.minReplicas"],
        );
        const max = problems.plainInteger(
            "gateway.autoscaling.maxReplicas",
            autoscaling.maxReplicas,
            1,
            1000,
            DEFAULTS["GatewayAutoscaling.maxReplicas"],
        );
        if (max < min) {
            problems.add("gateway.autoscaling.maxReplicas", `${max} is less than minReplicas (${min})`);
        }
        // Kubernetes takes any positive int32: a target above 100 lets the pods use more than they request.
        const cpu = problems.plainInteger(
            "gateway.autoscaling.targetCpuUtilizationPercentage",
            autoscaling.targetCpuUtilizationPercentage,
            1,
            INT32_MAX,
            DEFAULTS["GatewayAutoscaling.targetCpuUtilizationPercentage"],
        );
        workload.autoscaling = { minReplicas: min, maxReplicas: max, targetCpuUtilizationPercentage: cpu };
    }
    const asm = validateAsm(problems, g.asm, args.istioCluster !== undefined);
    if (asm) workload.asm = asm;
    return {
        serviceName,
        namespace: problems.dnsLabel(
            "gateway.namespace",
            g.namespace,
            DEFAULTS["EgressGateway.namespace"],
            "namespace",
        ),
        selector: problems.labels("gateway.labels", g.labels) ?? { istio: "egressgateway", app: serviceName },
        workload,
        // Its own Service targets every port on the same pod port.
        targetPorts: {},
    };
}

function validateAsm(problems: Problems, value: unknown, hasIstioCluster: boolean): GatewayWorkload["asm"] {
    const asm = problems.object("gateway.asm", value);
    if (!asm) return undefined;
    problems.unknownKeys("gateway.asm", asm, ["clusterIds"]);
    if (!hasIstioCluster) {
        problems.add("gateway.asm", "needs istioCluster: the IstioGateway goes to the ASM instance's API server");
    }
    const ids = asm.clusterIds;
    if (!Array.isArray(ids) || ids.length === 0) {
        problems.add("gateway.asm.clusterIds", `${show(ids)} must list the ACK clusters that run the gateway`);
        return undefined;
    }
    ids.forEach((id: unknown, i) => {
        if (typeof id !== "string" || !ACK_CLUSTER_ID.test(id)) {
            problems.add(
                `gateway.asm.clusterIds[${i}]`,
                `${show(id)} is not an ACK cluster ID (lowercase letters and digits)`,
            );
        } else if (ids.indexOf(id) !== i) {
            problems.add(`gateway.asm.clusterIds[${i}]`, `${show(id)} is listed twice`);
        }
    });
    return { clusterIds: ids as string[] };
}

/** An Input field's value when it is known now; undefined (nothing to check) when it is an Output or a Promise. */
function knownOrUndefined(value: unknown): unknown {
    return isDeferred(value) ? undefined : value;
}

/** Requests and limits, as far as they are known: quantities the API server accepts, requests within limits. */
function validateResources(problems: Problems, value: unknown): void {
    const resources = problems.object("gateway.resources", knownOrUndefined(value));
    if (!resources) return;
    problems.unknownKeys("gateway.resources", resources, ["requests", "limits"]);
    const amounts: Record<string, Record<string, number>> = {};
    for (const kind of ["requests", "limits"]) {
        const field = `gateway.resources.${kind}`;
        const quantities = problems.object(field, knownOrUndefined(resources[kind]));
        if (!quantities) continue;
        problems.unknownKeys(field, quantities, ["cpu", "memory"]);
        amounts[kind] = {};
        for (const resource of ["cpu", "memory"]) {
            const quantity = knownOrUndefined(quantities[resource]);
            if (quantity === undefined) continue;
            const problem = typeof quantity === "string" ? resourceQuantityProblem(quantity) : "must be a string";
            if (problem) problems.add(`${field}.${resource}`, `${show(quantity)} ${problem}`);
            else amounts[kind][resource] = quantityValue(quantity as string)!;
        }
    }
    for (const resource of ["cpu", "memory"]) {
        const request = amounts.requests?.[resource];
        const limit = amounts.limits?.[resource];
        if (request !== undefined && limit !== undefined && request > limit) {
            const requested = (resources.requests as Record<string, unknown>)[resource];
            const limited = (resources.limits as Record<string, unknown>)[resource];
            problems.add(
                `gateway.resources.requests.${resource}`,
                `${show(requested)} is more than the limit ${show(limited)}; the API server rejects a request above its limit`,
            );
        }
    }
}

function validateTolerations(problems: Problems, value: unknown): void {
    const tolerations = knownOrUndefined(value);
    if (tolerations === undefined) return;
    if (!Array.isArray(tolerations)) {
        problems.add("gateway.tolerations", `${show(tolerations)} must be a list of tolerations`);
        return;
    }
    tolerations.forEach((entry: unknown, i) => {
        const field = `gateway.tolerations[${i}]`;
        const toleration = problems.object(field, knownOrUndefined(entry));
        if (!toleration) return;
        problems.unknownKeys(field, toleration, ["key", "operator", "value", "effect"]);
        const known = Object.fromEntries(Object.entries(toleration).map(([k, v]) => [k, knownOrUndefined(v)]));
        for (const [name, problem] of Object.entries(tolerationProblems(known))) {
            problems.add(`${field}.${name}`, `${show(toleration[name])} ${problem}`);
        }
    });
}

/** `existingGateway.targetPorts`: port numbers to port numbers. */
function validateTargetPorts(problems: Problems, raw: unknown): Record<number, number> {
    const targetPorts: Record<number, number> = {};
    for (const [key, value] of Object.entries(problems.object("existingGateway.targetPorts", raw) ?? {})) {
        const port = Number(key);
        if (!/^[1-9]\d*$/.test(key) || port > 65535) {
            problems.add(
                "existingGateway.targetPorts",
                `key ${JSON.stringify(key)} must be a port number from 1 to 65535`,
            );
            continue;
        }
        targetPorts[port] = validatePort(problems, `existingGateway.targetPorts.${key}`, value, port) ?? port;
    }
    return targetPorts;
}

/**
 * Gateway ports of an existing gateway that reach the same pod port: istiod keeps one Service port per target port,
 * so the gateway would listen for only one of them.
 */
export function validatePodPortsDistinct(problems: Problems, gateway: NormalizedGateway, gatewayPorts: number[]): void {
    const byPodPort = new Map<number, number[]>();
    for (const port of [...new Set(gatewayPorts)].sort((a, b) => a - b)) {
        const pod = gateway.targetPorts[port] ?? port;
        byPodPort.set(pod, [...(byPodPort.get(pod) ?? []), port]);
    }
    for (const [pod, ports] of byPodPort) {
        if (ports.length < 2) continue;
        problems.add(
            "existingGateway.targetPorts",
            `sends gateway ports ${ports.join(" and ")} to the same pod port ${pod}: istiod keeps one Service port per ` +
                "pod port, so the gateway would listen for only one of them. Give each gateway port a pod port of its " +
                "own, on the Service and here",
        );
    }
}
