// The children MeshEgress registers for the seed scenario (aliyun.com over HTTP/80, REGISTRY_ONLY), as
// "<type> <name>".
export const SEED_CHILDREN = [
    "kubernetes:core/v1:ServiceAccount egress-gateway",
    "kubernetes:apps/v1:Deployment egress-gateway",
    "kubernetes:core/v1:Service egress-gateway",
    "kubernetes:policy/v1:PodDisruptionBudget egress-gateway",
    "kubernetes:networking.istio.io/v1:ServiceEntry egress-aliyun-com",
    "kubernetes:networking.istio.io/v1:ServiceEntry egress-aliyun-com---hop",
    "kubernetes:networking.istio.io/v1:DestinationRule egress-aliyun-com",
    "kubernetes:networking.istio.io/v1:Gateway egress-aliyun-com",
    "kubernetes:networking.istio.io/v1:VirtualService egress-aliyun-com",
    "kubernetes:telemetry.istio.io/v1:Telemetry egress-gateway-access-log",
    "pulumi-nodejs:dynamic/mesh-egress:MeshConfigOutboundMode egress-outbound-policy",
];
