// The public argument interfaces of MeshEgress, each field documented with its meaning, default and an example.
import * as pulumi from "@pulumi/pulumi";
import { AccessLog, AntiBypass, OutboundTrafficPolicy } from "./policy";
import { Dataplane, EgressGateway, ExistingGateway, ExistingWaypoint, GatewayHopTls, RoutingApi } from "./gateway";
import { ExternalHost } from "./hosts";
import { EgressAttachment, TeamGrant } from "./teams";

export * from "./gateway";
export * from "./hosts";
export * from "./outputs";
export * from "./policy";
export * from "./teams";

/** Where Istio's control plane lives. */
export interface IstioControlPlane {
    /**
     * The Istio release the mesh runs, as `MAJOR.MINOR` (a patch is ignored). MeshEgress emits the API versions that
     * release serves (`networking.istio.io/v1beta1` and `telemetry.istio.io/v1alpha1` before 1.22) and refuses a
     * setting the release does not support, naming the first release that does. Supported: 1.19 and later; tested
     * up to 1.31 (a newer release gets 1.31's output and a warning). Changing it re-applies the objects in place.
     *
     * Default: `"1.31"`.
     * Example: `"1.20"`.
     */
    version?: string;
    /**
     * The namespace istiod and its mesh config ConfigMap live in.
     *
     * Default: `"istio-system"`.
     */
    namespace?: string;
    /**
     * The control-plane revision: its mesh config is ConfigMap `istio-<revision>` and the gateway pods get label
     * `istio.io/rev: <revision>` so that revision injects them. Empty means the default revision.
     *
     * Default: `""`.
     * Example: `"1-30"`.
     */
    revision?: string;
    /**
     * Istio's root configuration namespace (`meshConfig.rootNamespace`), where a selector-less Sidecar is the mesh
     * default.
     *
     * Default: the Istio namespace.
     */
    rootNamespace?: string;
}

/** Credentials of a Kubernetes cluster. */
export interface KubernetesCluster {
    /**
     * Kubeconfig contents (not a path). Treated as a secret.
     */
    kubeconfig: pulumi.Input<string>;
    /**
     * Context to use.
     *
     * Default: the kubeconfig's current context.
     */
    context?: pulumi.Input<string>;
}

/** The arguments of a MeshEgress. */
export interface MeshEgressArgs {
    /**
     * The external hosts the mesh may reach, each routed mesh → egress gateway → host. The list decides which
     * objects exist, so it is a plain value; order does not matter.
     *
     * Example: `[{ host: "aliyun.com" }, { host: "api.stripe.com", mode: EgressMode.TlsPassthrough }]`.
     */
    hosts: ExternalHost[];
    /**
     * The egress gateway workload MeshEgress deploys. Mutually exclusive with `existingGateway`.
     *
     * Default: a two-replica gateway `<name>-gateway` in `istio-system`.
     */
    gateway?: EgressGateway;
    /**
     * Use a gateway that already runs instead of deploying one. Mutually exclusive with `gateway`.
     *
     * Default: unset: MeshEgress deploys `gateway`.
     */
    existingGateway?: ExistingGateway;
    /**
     * The client workloads' data plane: Istio sidecars, or ambient (ztunnel), whose traffic MeshEgress sends through
     * an egress waypoint instead of an egress gateway. Under AMBIENT `gateway` configures the waypoint (name,
     * namespace, replicas, autoscaling, PodDisruptionBudget); `antiBypass` is required. See docs/ambient.md.
     *
     * Default: `"SIDECAR"`.
     * Example: `"AMBIENT"`.
     */
    dataplane?: Dataplane;
    /**
     * Under data plane AMBIENT, a waypoint that already runs instead of the one MeshEgress creates. Mutually
     * exclusive with `gateway`.
     *
     * Default: unset: MeshEgress creates the waypoint.
     */
    existingWaypoint?: ExistingWaypoint;
    /**
     * The outbound traffic policy.
     *
     * Default: `{ mode: "REGISTRY_ONLY", target: "MESH_CONFIG" }`.
     */
    outboundTrafficPolicy?: OutboundTrafficPolicy;
    /**
     * How client sidecars talk to the egress gateway.
     *
     * Default: `"ISTIO_MUTUAL"`.
     */
    gatewayHopTls?: GatewayHopTls;
    /**
     * The traffic API of the routes: Istio's own `Gateway` and `VirtualService`, or the Kubernetes Gateway API
     * (`Gateway` of class `istio`, `ListenerSet`, `HTTPRoute`/`TLSRoute`/`TCPRoute`; Istio 1.31 or later, with the
     * Gateway API CRDs 1.6 or later installed). Every mode, `from`, `antiBypass`, `accessLog` and the gateway
     * settings work the same in both; the gateway pods are the same, so switching re-routes without restarting them.
     * See docs/gateway-api.md.
     *
     * Default: `"ISTIO"`.
     * Example: `"GATEWAY_API"`.
     */
    routingApi?: RoutingApi;
    /**
     * Namespaces whose sidecars see the ServiceEntries and VirtualServices (Istio `exportTo`): `*` is every
     * namespace, `.` the objects' own. Traffic from a namespace that does not see them leaves without the gateway
     * (ALLOW_ANY) or is blocked (REGISTRY_ONLY). The gateway DestinationRules are always visible to every namespace.
     *
     * Default: `["*"]`.
     * Example: `["payments", "checkout"]`.
     */
    exportTo?: string[];
    /**
     * NetworkPolicies so that pods of the listed namespaces cannot leave the cluster except through the gateway
     * (REGISTRY_ONLY alone does not stop a pod that bypasses its sidecar).
     *
     * Default: none (no NetworkPolicy).
     */
    antiBypass?: AntiBypass;
    /**
     * Access logs at the gateway (or the waypoint): one Telemetry for its pods, which the component that deploys the
     * gateway owns.
     *
     * Default: `{ provider: "envoy" }`, enabled when MeshEgress deploys the gateway (see `enabled`).
     */
    accessLog?: AccessLog;
    /**
     * Where Istio's control plane lives.
     *
     * Default: `{ namespace: "istio-system" }`.
     */
    istio?: IstioControlPlane;
    /**
     * The cluster that holds Istio's configuration, when it is not the gateway workload's cluster (a managed
     * control plane such as ASM keeps Istio objects in its own API server). Istio objects then go through a
     * Kubernetes provider made from these credentials, and the mesh config edit uses them too. Unset, Istio objects
     * use the component's own provider, and the mesh config edit (target `MESH_CONFIG`) uses `$KUBECONFIG` or
     * `~/.kube/config`: set this when your provider uses any other kubeconfig.
     *
     * Default: the component's provider.
     */
    istioCluster?: KubernetesCluster;
    /**
     * Teams that may route their own hosts through this component's gateway, each with its own component (possibly
     * in its own stack) attached with the grant this one publishes in its `attachments` output. Source rules compose
     * (docs/security.md), so no team changes what another, or this component, allows. See docs/teams.md.
     *
     * Default: none.
     * Example: `[{ name: "payments", namespaces: ["payments"], modes: ["TLS_PASSTHROUGH"] }]`.
     */
    teams?: TeamGrant[];
    /**
     * Attach to a platform component's gateway with the grant it publishes for this team (its `attachments` output,
     * e.g. from a stack reference). The gateway, hop TLS, routing API and Istio settings come from the grant, the
     * mesh config stays the platform's, and the hosts are checked against what the grant allows (namespaces, modes,
     * ports); a host without `from` is open to the granted namespaces. Its value must be known at preview (a stack
     * reference output is). See docs/teams.md.
     *
     * Default: unset: MeshEgress is its own platform.
     */
    attachTo?: pulumi.Input<EgressAttachment>;
    /**
     * Check the cluster before registering anything, in previews and updates alike: that its API server answers
     * (each request within 10 s), that it serves every kind MeshEgress creates (Istio's CRDs among them) and, when
     * MeshEgress edits the mesh config, that the ConfigMap exists and no other MeshEgress owns its mode. A cluster
     * that fails the check fails the preview with what is missing and where; nothing is created. The check covers the
     * clusters MeshEgress knows: `istioCluster`, and the default kubeconfig when no provider is passed. Set false when
     * what it checks is created by the same update (Istio installed by this stack).
     *
     * Default: `true`.
     */
    clusterCheck?: boolean;
}
