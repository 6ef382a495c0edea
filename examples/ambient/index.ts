// The seed scenario for ambient workloads: namespace `shop` runs in Istio's ambient mode (ztunnel, no sidecars).
// MeshEgress creates an egress waypoint and binds aliyun.com (HTTP) and api.stripe.com (TLS passthrough, only for
// shop's checkout ServiceAccount) to it; the NetworkPolicy in `shop` is what blocks every other external host, since
// ztunnel does not apply REGISTRY_ONLY. Needs Istio 1.31 with ambient enabled and the Gateway API CRDs.
import { MeshEgress } from "mesh-egress";

const egress = new MeshEgress("egress", {
    dataplane: "AMBIENT",
    gateway: { namespace: "istio-egress", replicas: 2 },
    antiBypass: { namespaces: ["shop"] },
    hosts: [
        { host: "aliyun.com" },
        { host: "api.stripe.com", mode: "TLS_PASSTHROUGH", from: [{ namespace: "shop", serviceAccount: "checkout" }] },
    ],
});

export const waypoint = egress.gatewayServiceFqdn;
export const hostObjects = egress.hostObjects;
export const summary = egress.summary;
