// The egress gateway: the workload MeshEgress deploys, or one that already runs, and the hop to it.
import * as pulumi from "@pulumi/pulumi";

/** How the client sidecars talk to the egress gateway. */
export const GatewayHopTls = {
    /**
     * Istio mutual TLS with the workload's mesh identity (`ISTIO_MUTUAL` on the Gateway servers and the gateway
     * DestinationRule, with `sni`): encrypted, and the gateway knows who is calling.
     */
    IstioMutual: "ISTIO_MUTUAL",
    /** Whatever the app sends, unwrapped. Only for meshes that cannot do mutual TLS to the gateway. */
    Disable: "DISABLE",
} as const;
export type GatewayHopTls = (typeof GatewayHopTls)[keyof typeof GatewayHopTls];

/** The traffic API the routes are written in. */
export const RoutingApi = {
    /** Istio's own kinds: per host an Istio `Gateway` server and a `VirtualService` with both hops. */
    Istio: "ISTIO",
    /**
     * Kubernetes Gateway API (`gateway.networking.k8s.io/v1`): one `Gateway` of class `istio` bound to the gateway's
     * Service, and per host a `ListenerSet` with the host's listener plus an `HTTPRoute`, `TLSRoute` or `TCPRoute`
     * for each hop (the mesh hop attached to the host's ServiceEntry). Needs Istio 1.31 and the Gateway API CRDs 1.6
     * or later.
     */
    GatewayApi: "GATEWAY_API",
} as const;
export type RoutingApi = (typeof RoutingApi)[keyof typeof RoutingApi];

/** The data plane of the client workloads, which decides what carries their traffic to the egress point. */
export const Dataplane = {
    /** Istio sidecars: an egress gateway Deployment, reached by each host's routes. */
    Sidecar: "SIDECAR",
    /**
     * Istio ambient (ztunnel): an egress waypoint (a Gateway API `Gateway` of class `istio-waypoint` that Istio deploys)
     * in the gateway namespace, to which each host's ServiceEntry is bound (`istio.io/use-waypoint`). Needs Istio 1.31
     * and `antiBypass`: ztunnel ignores REGISTRY_ONLY, so only the NetworkPolicies block undeclared hosts.
     */
    Ambient: "AMBIENT",
} as const;
export type Dataplane = (typeof Dataplane)[keyof typeof Dataplane];

/** An egress waypoint that already runs (data plane AMBIENT); MeshEgress binds the hosts to it and creates none. */
export interface ExistingWaypoint {
    /**
     * Name of the waypoint's Gateway (`gatewayClassName: istio-waypoint`).
     * Example: `"egress-waypoint"`.
     */
    name: string;
    /**
     * Namespace of the waypoint's Gateway; MeshEgress's objects go there too.
     * Default: `"istio-system"`.
     */
    namespace?: string;
}

/** CPU and memory for the gateway's proxy container, as Kubernetes quantities. */
export interface ResourceQuantities {
    /**
     * CPU quantity.
     *
     * Default: unset.
     * Example: `"100m"`.
     */
    cpu?: pulumi.Input<string>;
    /**
     * Memory quantity.
     *
     * Default: unset.
     * Example: `"128Mi"`.
     */
    memory?: pulumi.Input<string>;
}

/** Resource requests and limits of the gateway's proxy container. */
export interface GatewayResources {
    /**
     * What the scheduler reserves per replica.
     *
     * Default: `{ cpu: "100m", memory: "128Mi" }`.
     */
    requests?: pulumi.Input<ResourceQuantities>;
    /**
     * The most a replica may use.
     *
     * Default: `{ cpu: "2", memory: "1Gi" }`.
     */
    limits?: pulumi.Input<ResourceQuantities>;
}

/** A Kubernetes toleration for the gateway pods (dedicated egress nodes are usually tainted). */
export interface Toleration {
    /**
     * The taint key to tolerate; empty with operator `Exists` tolerates every taint.
     *
     * Default: `""`.
     * Example: `"dedicated"`.
     */
    key?: pulumi.Input<string>;
    /**
     * `Equal` or `Exists`.
     *
     * Default: `"Equal"`.
     */
    operator?: pulumi.Input<string>;
    /**
     * The taint value to match when the operator is `Equal`.
     *
     * Default: `""`.
     * Example: `"egress"`.
     */
    value?: pulumi.Input<string>;
    /**
     * `NoSchedule`, `PreferNoSchedule` or `NoExecute`; empty matches all effects.
     *
     * Default: `""` (every effect).
     * Example: `"NoSchedule"`.
     */
    effect?: pulumi.Input<string>;
}

/** A HorizontalPodAutoscaler for the gateway Deployment, scaling on CPU. */
export interface GatewayAutoscaling {
    /**
     * Fewest replicas.
     *
     * Default: `2`.
     */
    minReplicas?: number;
    /**
     * Most replicas.
     *
     * Default: `5`.
     */
    maxReplicas?: number;
    /**
     * Average CPU utilisation, in percent of the request, that the autoscaler aims for. Above 100 is allowed: the
     * pods then use more CPU than they request (up to their limit) before the autoscaler adds one, e.g. `150`.
     *
     * Default: `80`.
     */
    targetCpuUtilizationPercentage?: number;
}

/** A PodDisruptionBudget that keeps the gateway serving while nodes are drained. */
export interface GatewayDisruptionBudget {
    /**
     * Whether to create the PodDisruptionBudget.
     *
     * Default: `true`.
     */
    enabled?: boolean;
    /**
     * How many gateway pods a voluntary disruption may take down at once.
     *
     * Default: `1`.
     */
    maxUnavailable?: number;
}

/** The egress gateway workload that MeshEgress deploys (the istio/gateway Helm chart's objects). */
export interface EgressGateway {
    /**
     * Name of the gateway's ServiceAccount, Deployment, Service and PodDisruptionBudget.
     *
     * Default: `"<component name>-gateway"`.
     * Example: `"istio-egressgateway"`.
     */
    name?: string;
    /**
     * Namespace of the gateway workload and of every Istio object MeshEgress creates. It must exist and must not
     * disable sidecar injection (the gateway is injected with Istio's `gateway` template).
     *
     * Default: `"istio-system"`.
     */
    namespace?: string;
    /**
     * Labels that identify the gateway pods: the Service selector and every Istio Gateway's `selector`.
     *
     * Default: `{ istio: "egressgateway", app: "<gateway name>" }`.
     */
    labels?: { [key: string]: string };
    /**
     * Annotations added to the metadata of the gateway's ServiceAccount, Deployment, Service, PodDisruptionBudget
     * and HorizontalPodAutoscaler (not to its pods), e.g. `pulumi.com/skipAwait: "true"` where pods cannot run.
     *
     * Default: `{}`.
     */
    annotations?: { [key: string]: string };
    /**
     * Number of gateway pods. Ignored when `autoscaling` is set.
     *
     * Default: `2`.
     */
    replicas?: pulumi.Input<number>;
    /**
     * Requests and limits of the proxy container.
     *
     * Default: `{ requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "2", memory: "1Gi" } }`.
     */
    resources?: pulumi.Input<GatewayResources>;
    /**
     * Node labels the gateway pods must run on, e.g. dedicated egress nodes with stable source IPs.
     *
     * Default: none: any node.
     * Example: `{ "node-role.example.com/egress": "true" }`.
     */
    nodeSelector?: pulumi.Input<{ [key: string]: pulumi.Input<string> }>;
    /**
     * Taints the gateway pods tolerate.
     *
     * Default: none.
     */
    tolerations?: pulumi.Input<pulumi.Input<Toleration>[]>;
    /**
     * Whether to spread the gateway pods across nodes (`topologySpreadConstraints` on `kubernetes.io/hostname`,
     * best effort), so one node failure does not take egress down.
     *
     * Default: `true`.
     */
    spreadAcrossNodes?: boolean;
    /**
     * The PodDisruptionBudget.
     *
     * Default: `{ enabled: true, maxUnavailable: 1 }`.
     */
    podDisruptionBudget?: GatewayDisruptionBudget;
    /**
     * When set, a HorizontalPodAutoscaler owns the replica count.
     *
     * Default: no autoscaler.
     */
    autoscaling?: GatewayAutoscaling;
    /**
     * Under `dataplane: "AMBIENT"` only: further namespaces, each with an egress waypoint of its own (same name and
     * settings), across which the hosts are spread with their objects, so that istiod builds each waypoint from a
     * share of the hosts (its build time grows with the square of a waypoint's hosts: about 2 s at 1,000). Each host
     * goes to one namespace of `[namespace, ...shardNamespaces]`, chosen from the host's name and the namespaces' names
     * alone (rendezvous hashing): the list's order does not matter, adding a namespace moves only the hosts it takes,
     * removing one moves only its own. The namespaces must exist.
     *
     * Default: `[]`: one waypoint, in `namespace`.
     * Example: `["egress-1", "egress-2", "egress-3"]`.
     */
    shardNamespaces?: string[];
    /**
     * Create the gateway as Alibaba Cloud Service Mesh's own egress gateway: one `IstioGateway`
     * (`istio.alibabacloud.com/v1beta1`, `gatewayType: egress`) in the ASM instance (`istioCluster`, required), which
     * ASM then runs in the listed data-plane clusters — instead of a ServiceAccount, Deployment and Service.
     * `replicas`, `autoscaling`, `resources`, `nodeSelector`, `tolerations`, `spreadAcrossNodes`, `labels` (its
     * `podLabels`, the selector of every Gateway and AuthorizationPolicy) and the ports the hosts need carry over; the
     * PodDisruptionBudget stays in the component's cluster. See docs/gateway.md.
     *
     * Default: unset (MeshEgress deploys the gateway itself).
     * Example: `{ clusterIds: ["c1234567890abcdef1234567890abcdef"] }`.
     */
    asm?: AsmGateway;
}

/** Where ASM runs its egress gateway. */
export interface AsmGateway {
    /**
     * IDs of the ACK clusters (the ASM instance's data-plane clusters) that run the gateway.
     *
     * Example: `["c1234567890abcdef1234567890abcdef"]`.
     */
    clusterIds: string[];
}

/** An egress gateway that already runs (e.g. one a managed mesh created); MeshEgress creates no workload for it. */
export interface ExistingGateway {
    /**
     * Labels of the existing gateway pods, used as every Istio Gateway's `selector`.
     *
     * Example: `{ istio: "egressgateway" }`.
     */
    selector: { [key: string]: string };
    /**
     * Name of the existing gateway's Kubernetes Service.
     *
     * Example: `"istio-egressgateway"`.
     */
    serviceName: string;
    /**
     * Namespace of the existing gateway's Service; MeshEgress's Istio objects go there too.
     *
     * Default: `"istio-system"`.
     */
    namespace?: string;
    /**
     * The pod port the existing gateway's Service sends each gateway port to, where it is not the port itself: the
     * gateway listens there, so clients' hops and the antiBypass and `from` policies use it. Istio's
     * istio-egressgateway chart sends 80 to 8080 and 443 to 8443. The cluster check compares it with the Service.
     *
     * Default: `{}`: every gateway port's own number.
     * Example: `{ "80": 8080, "443": 8443 }`.
     */
    targetPorts?: { [port: string]: number };
}
