// The egress waypoint MeshEgress creates for the ambient data plane: a Gateway API `Gateway` of class
// `istio-waypoint` (Istio deploys its pods), its replicas, autoscaler, PodDisruptionBudget and pod placement in a
// parameters ConfigMap (Istio's "Gateway deployment customization"). The sidecar data plane's gateway is gateway.ts.
import { stringify } from "yaml";
import { GATEWAY_NAME_LABEL, derivedName } from "../naming/hosts";
import { GatewayWorkload, NormalizedArgs } from "../validate/normalized";
import { DEFAULT_RESOURCES, cpuAutoscaling, secretReader, spreadAcrossNodes } from "./gateway";
import { GATEWAY_API_VERSION } from "./route/gatewayApi";
import { Manifest } from "./manifest";

/** The port ztunnel reaches a waypoint on (HBONE). */
export const HBONE_PORT = 15008;

/**
 * The waypoint MeshEgress creates in `namespace` (none for an existing one), with its parameters when there are any.
 * Every waypoint namespace gets the same one; `readsSecrets` when one of its hosts names a credential.
 */
export function waypoint(
    args: NormalizedArgs,
    labels: Record<string, string>,
    namespace: string,
    readsSecrets: boolean,
): Manifest[] {
    const { serviceName: name, workload } = args.gateway;
    if (!workload) return [];
    const metadata: Manifest["metadata"] = {
        name,
        namespace,
        labels: { ...labels, "istio.io/waypoint-for": "service" },
    };
    if (Object.keys(workload.annotations).length > 0) metadata.annotations = workload.annotations;
    const parameters = derivedName(name, "parameters");
    // Istio's waypoint runs as ServiceAccount <name>; istiod serves it a credentialName Secret only if it may read it.
    const secrets = readsSecrets ? secretReader(args, { name, namespace, labels }) : [];
    return [
        {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { ...metadata, name: parameters, labels },
            data: waypointParameters(args, workload),
        },
        {
            apiVersion: GATEWAY_API_VERSION,
            kind: "Gateway",
            metadata,
            spec: {
                gatewayClassName: "istio-waypoint",
                infrastructure: { parametersRef: { group: "", kind: "ConfigMap", name: parameters } },
                // allowedRoutes as the API server defaults it, so that the live object equals the planned one.
                listeners: [
                    {
                        name: "mesh",
                        port: HBONE_PORT,
                        protocol: "HBONE",
                        allowedRoutes: { namespaces: { from: "Same" } },
                    },
                ],
            },
        },
        ...secrets,
    ];
}

/**
 * Istio's parameters for the waypoint it deploys: YAML merged into its Deployment, HorizontalPodAutoscaler and
 * PodDisruptionBudget (Istio's "Gateway deployment customization").
 */
function waypointParameters(args: NormalizedArgs, workload: GatewayWorkload): Record<string, string> {
    const selector = { [GATEWAY_NAME_LABEL]: args.gateway.serviceName };
    const podSpec: Record<string, unknown> = {
        // Istio merges this into its waypoint template, whose proxy already has requests and limits: replace them
        // whole, so the pod gets exactly these (a request above a template limit would make the Deployment invalid).
        containers: [
            { name: "istio-proxy", resources: { $patch: "replace", ...(workload.resources ?? DEFAULT_RESOURCES) } },
        ],
    };
    if (workload.nodeSelector !== undefined) podSpec.nodeSelector = workload.nodeSelector;
    if (workload.tolerations !== undefined) podSpec.tolerations = workload.tolerations;
    if (workload.spreadAcrossNodes) podSpec.topologySpreadConstraints = spreadAcrossNodes(selector);
    const deployment: Record<string, unknown> = { template: { spec: podSpec } };
    if (!workload.autoscaling) deployment.replicas = workload.replicas;
    const data: Record<string, string> = { deployment: stringify({ spec: deployment }) };
    if (workload.autoscaling) {
        data.horizontalPodAutoscaler = stringify({ spec: cpuAutoscaling(workload.autoscaling) });
    }
    if (workload.podDisruptionBudget.enabled) {
        data.podDisruptionBudget = stringify({ spec: { maxUnavailable: workload.podDisruptionBudget.maxUnavailable } });
    }
    return data;
}
