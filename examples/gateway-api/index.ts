// The seed scenario plus a TLS host, routed with Kubernetes Gateway API kinds: one Gateway of class istio bound to the
// egress gateway's Service, and per host a ListenerSet and its routes (HTTPRoute for aliyun.com, TLSRoute on the mesh
// hop and TCPRoute inside the gateway hop's mutual TLS for api.stripe.com). Needs Istio 1.31 and the Gateway API
// CRDs 1.6 (standard channel) in the cluster.
import { MeshEgress } from "mesh-egress";

const egress = new MeshEgress("egress", {
    routingApi: "GATEWAY_API",
    hosts: [{ host: "aliyun.com" }, { host: "api.stripe.com", mode: "TLS_PASSTHROUGH" }],
});

export const gatewayService = egress.gatewayServiceFqdn;
export const hostObjects = egress.hostObjects;
export const summary = egress.summary;
