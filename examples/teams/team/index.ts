// A product team's program: it attaches to the platform's egress gateway with the grant the platform stack publishes
// for it, and declares only its hosts. The gateway, hop, routes' settings and the mesh-wide policy are the
// platform's; a host is open to the team's granted namespaces unless its `from` narrows it; asking for a mode, port
// or namespace the platform did not grant fails the preview, naming the grant. docs/teams.md.
import * as pulumi from "@pulumi/pulumi";
import { EgressAttachment, MeshEgress, MeshEgressArgs } from "../../.."; // in your own program: from "mesh-egress"

const config = new pulumi.Config();
const team = config.require("team");
const platform = new pulumi.StackReference(config.require("platformStack"));

const egress = new MeshEgress(team, {
    attachTo: platform.getOutput("attachments").apply((grants) => grants[team] as EgressAttachment),
    hosts: config.requireObject<MeshEgressArgs["hosts"]>("hosts"),
});

export const summary = egress.summary;
export const hostObjects = egress.hostObjects;
