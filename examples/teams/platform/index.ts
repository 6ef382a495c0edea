// The platform team's program: it deploys the egress gateway, owns the mesh-wide outbound policy, declares its own
// hosts, and grants each product team namespaces, modes and ports on its gateway. A team's program attaches with the
// grant (`attachments`, through a stack reference) and declares only its hosts: ../team. docs/teams.md.
// From stack config, so one program serves every platform stack (and the end-to-end tests).
import * as pulumi from "@pulumi/pulumi";
import { MeshEgress, MeshEgressArgs } from "../../.."; // in your own program: from "mesh-egress"

const config = new pulumi.Config();

const platform = new MeshEgress("platform", {
    hosts: config.getObject<MeshEgressArgs["hosts"]>("hosts") ?? [{ host: "aliyun.com" }],
    // Where no pod can run (the local control plane of the tests), pulumi.com/skipAwait: "true".
    gateway: { name: "platform-gateway", annotations: config.getObject<Record<string, string>>("gatewayAnnotations") },
    teams: config.getObject<MeshEgressArgs["teams"]>("teams") ?? [
        { name: "payments", namespaces: ["payments"], modes: ["HTTP", "TLS_PASSTHROUGH"] },
        { name: "shop", namespaces: ["shop"] },
    ],
});

export const attachments = platform.attachments;
export const summary = platform.summary;
