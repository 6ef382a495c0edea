// The egress gateway workload, shaped like the istio/gateway Helm chart's objects: the Deployment's pod is filled in
// by Istio's `gateway` injection template, and the Service exposes exactly the ports the Gateway servers use.
import { RoutingApi } from "../args";
import { DEFAULTS } from "../args/defaults";
import { GatewayWorkload, NormalizedArgs, SidecarArgs } from "../validate/normalized";
import { Manifest } from "./manifest";
import { derivedName } from "../naming/hosts";

const STATUS_PORT = 15021;

/** The proxy container's requests and limits when the arguments set none. */
export const DEFAULT_RESOURCES = DEFAULTS["EgressGateway.resources"];

export interface GatewayPort {
    number: number;
    name: string;
}

/**
 * Every port a Gateway server listens on, and every port granted to a team (sorted, unique); each must be on the
 * gateway Service (IST0162; under GATEWAY_API istiod listens only on the Service's ports).
 */
export function gatewayPorts(args: NormalizedArgs): GatewayPort[] {
    const byNumber = new Map<number, GatewayPort>();
    // Named after what client sidecars send there, which is how they pick the protocol for the gateway hop.
    for (const { gatewayPort, appProtocol } of args.hosts) {
        byNumber.set(gatewayPort, { number: gatewayPort, name: `${appProtocol.toLowerCase()}-${gatewayPort}` });
    }
    // A team's hosts name their own protocol; the Service's port only has to exist.
    for (const port of args.teams.flatMap((team) => team.ports)) {
        if (!byNumber.has(port)) byNumber.set(port, { number: port, name: `tcp-${port}` });
    }
    return [...byNumber.values()].sort((a, b) => a.number - b.number);
}

/** The port the gateway pods listen on for a gateway (Service) port: an existing gateway's may differ. */
export function podPort(args: NormalizedArgs, port: number): number {
    return args.gateway.targetPorts[port] ?? port;
}

/** A gateway port as an existing gateway's Service must carry it. */
export interface BoundPort extends GatewayPort {
    /** The pod port the Service must send it to. */
    targetPort: number;
}

/** A Service the plan relies on but does not create, and the ports it must carry. */
export interface BoundGatewayService {
    namespace: string;
    name: string;
    ports: BoundPort[];
    /**
     * Whether a port missing from the Service fails. Under GATEWAY_API it does: the Gateway is bound to the Service
     * and istiod listens only on its ports. Istio's label-selected Gateway listens on the port's own number instead.
     */
    everyPortRequired: boolean;
}

/** An existing gateway's Service (undefined for MeshEgress's own, which it writes). */
export function boundExistingService(args: SidecarArgs): BoundGatewayService | undefined {
    if (args.gateway.workload) return undefined;
    return {
        namespace: args.gateway.namespace,
        name: args.gateway.serviceName,
        ports: gatewayPorts(args).map((port) => ({ ...port, targetPort: podPort(args, port.number) })),
        everyPortRequired: args.routingApi === RoutingApi.GatewayApi,
    };
}

export function gatewayServiceHost(args: NormalizedArgs): string {
    return `${args.gateway.serviceName}.${args.gateway.namespace}.svc.cluster.local`;
}

/**
 * The workload objects, in creation order; empty for an existing gateway, and only the PodDisruptionBudget when ASM
 * runs the gateway (asmGateway.ts).
 */
export function gatewayWorkload(args: NormalizedArgs, labels: Record<string, string>): Manifest[] {
    const { workload, serviceName: name, namespace, selector } = args.gateway;
    if (!workload) return [];
    const metadata: Manifest["metadata"] = { name, namespace, labels: { ...labels, ...selector } };
    if (Object.keys(workload.annotations).length > 0) metadata.annotations = workload.annotations;
    if (workload.asm) return disruptionBudget(workload, metadata, selector);
    // Clients reach the gateway through each host's hop alias; the Service only makes the gateway's listeners bind
    // (a Gateway server's port must be on a Service of the pods), so only the gateway's namespace sees it.
    const serviceMetadata = {
        ...metadata,
        annotations: { ...workload.annotations, "networking.istio.io/exportTo": "." },
    };
    const objects: Manifest[] = [
        { apiVersion: "v1", kind: "ServiceAccount", metadata },
        deployment(args, workload, metadata),
        {
            apiVersion: "v1",
            kind: "Service",
            metadata: serviceMetadata,
            spec: {
                type: "ClusterIP",
                selector,
                ports: [
                    // Named as the istio/gateway chart names it; appProtocol satisfies Istio's port-naming rule.
                    {
                        name: "status-port",
                        port: STATUS_PORT,
                        targetPort: STATUS_PORT,
                        protocol: "TCP",
                        appProtocol: "tcp",
                    },
                    ...gatewayPorts(args).map((p) => ({
                        name: p.name,
                        port: p.number,
                        targetPort: p.number,
                        protocol: "TCP",
                    })),
                ],
            },
        },
    ];
    objects.push(...disruptionBudget(workload, metadata, selector));
    if (args.hosts.some((h) => h.origination?.credentialName)) objects.push(...secretReader(args, metadata));
    if (workload.autoscaling) {
        objects.push({
            apiVersion: "autoscaling/v2",
            kind: "HorizontalPodAutoscaler",
            metadata,
            spec: {
                scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name },
                ...cpuAutoscaling(workload.autoscaling),
            },
        });
    }
    return objects;
}

/** An autoscaler's replica bounds and its CPU target, shared by the gateway's HPA and a waypoint's parameters. */
export function cpuAutoscaling(autoscaling: NonNullable<GatewayWorkload["autoscaling"]>): Record<string, unknown> {
    const { minReplicas, maxReplicas, targetCpuUtilizationPercentage } = autoscaling;
    return {
        minReplicas,
        maxReplicas,
        metrics: [
            {
                type: "Resource",
                resource: {
                    name: "cpu",
                    target: { type: "Utilization", averageUtilization: targetCpuUtilizationPercentage },
                },
            },
        ],
    };
}

/** Best-effort spreading of the pods a selector matches across nodes. */
export function spreadAcrossNodes(selector: Record<string, string>): Record<string, unknown>[] {
    return [
        {
            maxSkew: 1,
            topologyKey: "kubernetes.io/hostname",
            whenUnsatisfiable: "ScheduleAnyway",
            labelSelector: { matchLabels: selector },
        },
    ];
}

function disruptionBudget(
    workload: GatewayWorkload,
    metadata: Manifest["metadata"],
    selector: Record<string, string>,
): Manifest[] {
    if (!workload.podDisruptionBudget.enabled) return [];
    return [
        {
            apiVersion: "policy/v1",
            kind: "PodDisruptionBudget",
            metadata,
            spec: { maxUnavailable: workload.podDisruptionBudget.maxUnavailable, selector: { matchLabels: selector } },
        },
    ];
}

function deployment(args: NormalizedArgs, workload: GatewayWorkload, metadata: Manifest["metadata"]): Manifest {
    const { selector, serviceName } = args.gateway;
    const podLabels: Record<string, string> = { ...selector, "sidecar.istio.io/inject": "true" };
    if (args.istio.revision) podLabels["istio.io/rev"] = args.istio.revision;
    const podSpec: Record<string, unknown> = {
        serviceAccountName: serviceName,
        // Lets the non-root proxy bind the low ports (80, 443) that Gateway servers use, as the Helm chart does.
        securityContext: { sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }] },
        containers: [
            {
                name: "istio-proxy",
                // Replaced by the injector with the proxy image of the mesh's control plane.
                image: "auto",
                securityContext: {
                    allowPrivilegeEscalation: false,
                    privileged: false,
                    readOnlyRootFilesystem: true,
                    runAsNonRoot: true,
                    runAsUser: 1337,
                    runAsGroup: 1337,
                    capabilities: { drop: ["ALL"] },
                },
                resources: workload.resources ?? DEFAULT_RESOURCES,
            },
        ],
    };
    if (workload.nodeSelector !== undefined) podSpec.nodeSelector = workload.nodeSelector;
    if (workload.tolerations !== undefined) podSpec.tolerations = workload.tolerations;
    if (workload.spreadAcrossNodes) {
        podSpec.topologySpreadConstraints = spreadAcrossNodes(selector);
    }
    const spec: Record<string, unknown> = {
        selector: { matchLabels: selector },
        template: {
            metadata: { labels: podLabels, annotations: { "inject.istio.io/templates": "gateway" } },
            spec: podSpec,
        },
    };
    // With an autoscaler the HPA owns the replica count; setting it here would fight it on every update.
    if (!workload.autoscaling) spec.replicas = workload.replicas;
    return { apiVersion: "apps/v1", kind: "Deployment", metadata, spec };
}

/**
 * Lets the gateway's identity read Secrets in its namespace, which istiod checks before serving a `credentialName`
 * to it (as the istio/gateway chart's Role does). Only created when a host names a credential.
 */
export function secretReader(args: NormalizedArgs, metadata: Manifest["metadata"]): Manifest[] {
    const name = derivedName(args.gateway.serviceName, "sds");
    return [
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "Role",
            metadata: { ...metadata, name },
            rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "watch", "list"] }],
        },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: { ...metadata, name },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
            subjects: [{ kind: "ServiceAccount", name: args.gateway.serviceName }],
        },
    ];
}
