// MeshEgress from stack config against the local control plane of tools/cluster.sh (or rendered to YAML): the
// program behind `npm run demo` and the end-to-end tests.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { MeshEgress, MeshEgressArgs } from "../..";

const config = new pulumi.Config();
const renderDir = config.get("renderDir");
// A second cluster for Istio's configuration (as a managed control plane keeps it), when given.
const istioKubeconfig = config.getSecret("istioKubeconfig");
const existingGateway = config.getObject<MeshEgressArgs["existingGateway"]>("existingGateway");
const provider = renderDir ? new k8s.Provider("render", { renderYamlToDirectory: renderDir }) : undefined;

const egress = new MeshEgress(
    "egress",
    {
        hosts: config.requireObject<MeshEgressArgs["hosts"]>("hosts"),
        // The local control plane runs no controllers, so Deployments never roll out and Services get no
        // endpoints: skip the provider's readiness awaits for the gateway here. MeshEgress's default keeps them.
        gateway: existingGateway
            ? undefined
            : {
                  ...config.getObject<MeshEgressArgs["gateway"]>("gateway"),
                  annotations: { "pulumi.com/skipAwait": "true" },
              },
        existingGateway,
        outboundTrafficPolicy: config.getObject<MeshEgressArgs["outboundTrafficPolicy"]>("outboundTrafficPolicy"),
        routingApi: config.get("routingApi") as MeshEgressArgs["routingApi"],
        dataplane: config.get("dataplane") as MeshEgressArgs["dataplane"],
        antiBypass: config.getObject<MeshEgressArgs["antiBypass"]>("antiBypass"),
        istio: config.getObject<MeshEgressArgs["istio"]>("istio"),
        teams: config.getObject<MeshEgressArgs["teams"]>("teams"),
        istioCluster: istioKubeconfig ? { kubeconfig: istioKubeconfig } : undefined,
    },
    { provider },
);

export const gatewayService = egress.gatewayServiceFqdn;
export const outboundTrafficPolicy = egress.outboundTrafficPolicyMode;
export const hostObjects = egress.hostObjects;
export const summary = egress.summary;
export const attachments = egress.attachments;
