// The public surface of mesh-egress: the component and its argument types. Nothing else leaks.
export { MeshEgress, HostObjects } from "./meshEgress";
export {
    EgressMode,
    OutboundTrafficPolicyMode,
    OutboundPolicyTarget,
    MeshEgressArgs,
    ExternalHost,
    EgressGateway,
    ExistingGateway,
    GatewayResources,
    ResourceQuantities,
    Toleration,
    GatewayAutoscaling,
    GatewayDisruptionBudget,
    IstioControlPlane,
    OutboundTrafficPolicy,
    KubernetesCluster,
} from "./args";
export { MeshEgressArgsError } from "./validate";
