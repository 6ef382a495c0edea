// The children MeshEgress registers for the seed scenario (aliyun.com over HTTP/80, REGISTRY_ONLY), as
// "<type> <name>" (the Pulumi name: component/namespace/object name).
export const SEED_CHILDREN = [
    "kubernetes:core/v1:ServiceAccount egress/istio-system/egress-gateway",
    "kubernetes:apps/v1:Deployment egress/istio-system/egress-gateway",
    "kubernetes:core/v1:Service egress/istio-system/egress-gateway",
    "kubernetes:policy/v1:PodDisruptionBudget egress/istio-system/egress-gateway",
    "kubernetes:networking.istio.io/v1:ServiceEntry egress/istio-system/egress-aliyun-com",
    "kubernetes:networking.istio.io/v1:ServiceEntry egress/istio-system/egress-aliyun-com---hop",
    "kubernetes:networking.istio.io/v1:DestinationRule egress/istio-system/egress-aliyun-com",
    "kubernetes:networking.istio.io/v1:Gateway egress/istio-system/egress-aliyun-com",
    "kubernetes:networking.istio.io/v1:VirtualService egress/istio-system/egress-aliyun-com",
    "kubernetes:telemetry.istio.io/v1:Telemetry egress/istio-system/egress-gateway-access-log",
    "pulumi-nodejs:dynamic/mesh-egress:MeshConfigOutboundMode egress-outbound-policy",
];
