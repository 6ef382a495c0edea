// The repository's own stack program (Pulumi.yaml at the root): MeshEgress configured entirely from stack config,
// so a platform team can run the repo directly. `hosts` is required; the other keys are optional objects with the
// same shape as MeshEgressArgs.
import * as pulumi from "@pulumi/pulumi";
import { MeshEgress, MeshEgressArgs } from "../../sdk";

const config = new pulumi.Config();
const args: MeshEgressArgs = {
    hosts: config.requireObject<MeshEgressArgs["hosts"]>("hosts"),
    gateway: config.getObject<MeshEgressArgs["gateway"]>("gateway"),
    existingGateway: config.getObject<MeshEgressArgs["existingGateway"]>("existingGateway"),
    outboundTrafficPolicy: config.getObject<MeshEgressArgs["outboundTrafficPolicy"]>("outboundTrafficPolicy"),
    gatewayHopTls: config.get("gatewayHopTls") as MeshEgressArgs["gatewayHopTls"],
    exportTo: config.getObject<MeshEgressArgs["exportTo"]>("exportTo"),
    antiBypass: config.getObject<MeshEgressArgs["antiBypass"]>("antiBypass"),
    accessLog: config.getObject<MeshEgressArgs["accessLog"]>("accessLog"),
    istio: config.getObject<MeshEgressArgs["istio"]>("istio"),
};

const egress = new MeshEgress(config.get("name") ?? "egress", args);

export const gatewayService = egress.gatewayServiceFqdn;
export const gatewayNamespace = egress.gatewayNamespace;
export const gatewayPorts = egress.gatewayPorts;
export const outboundTrafficPolicy = egress.outboundTrafficPolicyMode;
export const hostObjects = egress.hostObjects;
export const summary = egress.summary;
