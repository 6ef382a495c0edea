// The egress gateway as Alibaba Cloud Service Mesh runs it (the seed's step 4, "Create an egress gateway"): one
// IstioGateway in the ASM instance, which ASM turns into a gateway Deployment and Service in each listed ACK
// cluster. Field names follow ASM's published IstioGateway API (aliyun/alibabacloud-servicemesh-api, IstioGateway
// spec). The pods get MeshEgress's selector as podLabels, so every Gateway and AuthorizationPolicy selects them
// whatever labels ASM adds of its own.
import { NormalizedArgs } from "../validate/normalized";
import { DEFAULT_RESOURCES, gatewayPorts } from "./gateway";
import { Manifest } from "./manifest";

export const ASM_ISTIO_GATEWAY = "istio.alibabacloud.com/v1beta1";

export function asmIstioGateway(args: NormalizedArgs, labels: Record<string, string>): Manifest[] {
    const workload = args.gateway.workload;
    if (!workload?.asm) return [];
    const { serviceName: name, namespace, selector } = args.gateway;
    const spec: Record<string, unknown> = {
        gatewayType: "egress",
        clusterIds: workload.asm.clusterIds,
        replicaCount: workload.replicas,
        serviceType: "ClusterIP",
        // As on the Deployment path: clients reach the gateway through the hop aliases, not the Service.
        serviceAnnotations: { "networking.istio.io/exportTo": "." },
        podLabels: selector,
        resources: workload.resources ?? DEFAULT_RESOURCES,
        ports: gatewayPorts(args).map((p) => ({ name: p.name, port: p.number, targetPort: p.number, protocol: "TCP" })),
    };
    if (workload.autoscaling) {
        const { minReplicas, maxReplicas, targetCpuUtilizationPercentage } = workload.autoscaling;
        Object.assign(spec, {
            autoscaleEnabled: true,
            minReplicas,
            maxReplicas,
            cpu: { targetAverageUtilization: targetCpuUtilizationPercentage },
        });
    }
    if (workload.nodeSelector !== undefined) spec.nodeSelector = workload.nodeSelector;
    if (workload.tolerations !== undefined) spec.tolerations = workload.tolerations;
    if (workload.spreadAcrossNodes) {
        // IstioGateway takes an affinity, not topology spread constraints: the same preference, one pod per node.
        spec.affinity = {
            podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                    {
                        weight: 100,
                        podAffinityTerm: {
                            topologyKey: "kubernetes.io/hostname",
                            labelSelector: { matchLabels: selector },
                        },
                    },
                ],
            },
        };
    }
    const metadata: Manifest["metadata"] = { name, namespace, labels: { ...labels, ...selector } };
    if (Object.keys(workload.annotations).length > 0) metadata.annotations = workload.annotations;
    return [{ apiVersion: ASM_ISTIO_GATEWAY, kind: "IstioGateway", metadata, spec }];
}
