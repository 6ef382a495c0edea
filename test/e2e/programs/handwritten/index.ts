// A stack with Istio egress written by hand, outside MeshEgress, rendered to files (no cluster): what the policy pack
// (policy/) must catch in any stack of an organization (test/e2e/policyPack.e2e.spec.ts).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

const provider = new k8s.Provider("render", { renderYamlToDirectory: new pulumi.Config().require("renderDir") });

new k8s.apiextensions.CustomResource(
    "stripe",
    {
        apiVersion: "networking.istio.io/v1",
        kind: "ServiceEntry",
        metadata: { name: "stripe", namespace: "default" },
        spec: {
            hosts: ["api.stripe.com"],
            location: "MESH_EXTERNAL",
            resolution: "DNS",
            ports: [{ number: 443, name: "tls", protocol: "TLS" }],
        },
    },
    { provider },
);
