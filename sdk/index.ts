// The public surface of mesh-egress: the component and its argument types. Nothing else leaks.
export { MeshEgress, HostObjectsOutput } from "./meshEgress";
export {
    EgressMode,
    OutboundTrafficPolicyMode,
    OutboundPolicyTarget,
    MeshEgressArgs,
    ExternalHostArgs,
    EgressGatewayArgs,
    ExistingGatewayArgs,
    GatewayResourcesArgs,
    ResourceQuantitiesArgs,
    TolerationArgs,
    GatewayAutoscalingArgs,
    GatewayDisruptionBudgetArgs,
    IstioControlPlaneArgs,
    OutboundTrafficPolicyArgs,
    KubernetesClusterArgs,
} from "./args";
export { MeshEgressArgsError } from "./validate";
