// The seed scenario on Alibaba Cloud Service Mesh (ASM): Istio's configuration lives in the ASM instance's own API
// server, the applications in an ACK cluster. MeshEgress creates the egress gateway as ASM's IstioGateway in the ASM
// instance (the seed's step 4), writes REGISTRY_ONLY as a root-namespace Sidecar there (ASM keeps no mesh config
// ConfigMap in your clusters; the seed's step 2), and routes aliyun.com through the gateway (steps 3 and 4).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { MeshEgress } from "mesh-egress";

const config = new pulumi.Config();
// The ACK cluster that runs the applications (and the gateway's pods): its kubeconfig, from the ACK console.
const ack = new k8s.Provider("ack", { kubeconfig: config.requireSecret("ackKubeconfig") });

const egress = new MeshEgress(
    "egress",
    {
        hosts: [{ host: "aliyun.com" }],
        // The ASM instance: its kubeconfig, from the ASM console (Istio objects and the IstioGateway go there).
        istioCluster: { kubeconfig: config.requireSecret("asmKubeconfig") },
        istio: { version: config.get("istioVersion") ?? "1.22" },
        gateway: {
            name: "egressgateway",
            replicas: 2,
            autoscaling: { minReplicas: 2, maxReplicas: 5 },
            asm: { clusterIds: [config.require("ackClusterId")] },
        },
        outboundTrafficPolicy: { target: "ROOT_NAMESPACE_SIDECAR" },
    },
    { provider: ack },
);

export const gatewayService = egress.gatewayServiceFqdn;
export const outboundTrafficPolicy = egress.outboundTrafficPolicyMode;
export const summary = egress.summary;
