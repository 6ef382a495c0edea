// The seed scenario: the mesh may reach aliyun.com over plain HTTP on port 80, only through the egress gateway,
// and every other external host is blocked (REGISTRY_ONLY).
import { MeshEgress } from "mesh-egress";

const egress = new MeshEgress("egress", {
    hosts: [{ host: "aliyun.com" }],
});

export const gatewayService = egress.gatewayServiceFqdn;
export const outboundTrafficPolicy = egress.outboundTrafficPolicyMode;
export const hostObjects = egress.hostObjects;
