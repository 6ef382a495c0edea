// MeshEgress from stack config against the local control plane of tools/cluster.sh (or rendered to YAML): the
// program behind `npm run demo` and the end-to-end tests.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { MeshEgress, MeshEgressArgs } from "../../..";

const config = new pulumi.Config();

// The local control plane runs no controllers, so Deployments never roll out and Services get no endpoints: skip
// the provider's readiness awaits for them here. MeshEgress itself keeps the provider's defaults.
pulumi.runtime.registerResourceTransform(({ type, props, opts }) => {
    if (type !== "kubernetes:apps/v1:Deployment" && type !== "kubernetes:core/v1:Service") return undefined;
    const metadata = props.metadata ?? {};
    const annotations = { ...metadata.annotations, "pulumi.com/skipAwait": "true" };
    return { props: { ...props, metadata: { ...metadata, annotations } }, opts };
});

const renderDir = config.get("renderDir");
const provider = renderDir ? new k8s.Provider("render", { renderYamlToDirectory: renderDir }) : undefined;

const egress = new MeshEgress(
    "egress",
    {
        hosts: config.requireObject<MeshEgressArgs["hosts"]>("hosts"),
        gateway: config.getObject<MeshEgressArgs["gateway"]>("gateway"),
        outboundTrafficPolicy: config.getObject<MeshEgressArgs["outboundTrafficPolicy"]>("outboundTrafficPolicy"),
    },
    { provider },
);

export const gatewayService = egress.gatewayServiceFqdn;
export const outboundTrafficPolicy = egress.outboundTrafficPolicyMode;
export const hostObjects = egress.hostObjects;
