import * as pulumi from "@pulumi/pulumi";

/**
 * How an application reaches an external host, and what the egress gateway does with it. Each mode is one of
 * Istio's documented egress-gateway recipes; README has the table "what your app sends × what leaves the gateway".
 */
export const EgressMode = {
    /** The app sends plain HTTP; the gateway routes it by `Host` and forwards plain HTTP (the seed's aliyun.com). */
    Http: "HTTP",
    /**
     * The app sends TLS (e.g. HTTPS on 443); the gateway forwards the encrypted stream untouched. With the mutual-TLS
     * hop the host gets a gateway port of its own (the gateway cannot see the app's SNI inside the mTLS tunnel).
     */
    TlsPassthrough: "TLS_PASSTHROUGH",
    /** The app sends plain HTTP; the gateway opens TLS to the host (`externalPort`, default 443). */
    TlsOrigination: "TLS_ORIGINATION",
    /**
     * The app sends plain HTTP; the gateway opens mutual TLS to the host with the client certificate in
     * `tls.credentialName` (a Secret in the gateway namespace).
     */
    MutualTlsOrigination: "MUTUAL_TLS_ORIGINATION",
    /**
     * The app opens a TCP connection to `port`; the gateway forwards the bytes to the host (DNS), to its `endpoints`,
     * for the CIDRs in `addresses`. Always on a gateway port of its own.
     */
    Tcp: "TCP",
} as const;
export type EgressMode = (typeof EgressMode)[keyof typeof EgressMode];

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

/** How the egress gateway verifies an external host when it originates TLS to it. */
export interface OriginationTlsArgs {
    /**
     * A Secret in the gateway namespace. For `MUTUAL_TLS_ORIGINATION` it must hold the client certificate
     * (`tls.crt`, `tls.key`) and may hold the CA (`ca.crt`); for `TLS_ORIGINATION` it may hold the CA (`ca.crt`).
     * MeshEgress lets the gateway read it (Role and RoleBinding).
     * @example "client-credential"
     */
    credentialName?: string;
    /**
     * Path, inside the gateway pods, of a CA bundle to verify the host with; mutually exclusive with
     * `credentialName`.
     * @default "/etc/ssl/certs/ca-certificates.crt" (the proxy image's system roots) unless `credentialName` is set
     * @example "/etc/ssl/certs/ca-certificates.crt"
     */
    caCertificates?: string;
    /**
     * Names the host's certificate must carry.
     * @default any name the CA vouches for
     * @example ["api.example.com"]
     */
    subjectAltNames?: string[];
    /**
     * SNI the gateway sends.
     * @default the host
     */
    sni?: string;
}

/** The mesh's policy for outbound traffic to hosts that are not in its service registry. */
export const OutboundTrafficPolicyMode = {
    /** Only registered hosts are reachable; anything else gets a 502 (HTTP) or a reset (TLS). */
    RegistryOnly: "REGISTRY_ONLY",
    /** Every host is reachable; unregistered ones bypass the egress gateway. */
    AllowAny: "ALLOW_ANY",
    /** MeshEgress does not touch the outbound traffic policy at all. */
    Unmanaged: "UNMANAGED",
} as const;
export type OutboundTrafficPolicyMode = (typeof OutboundTrafficPolicyMode)[keyof typeof OutboundTrafficPolicyMode];

/** Where the outbound traffic policy is written. */
export const OutboundPolicyTarget = {
    /**
     * `outboundTrafficPolicy.mode` inside the mesh config (ConfigMap `istio`, or `istio-<revision>`, key `mesh`,
     * in the Istio namespace). Only that one field changes; the previous mode is restored on destroy.
     */
    MeshConfig: "MESH_CONFIG",
    /**
     * A `Sidecar` without workload selector in the Istio root namespace, which is the mesh-wide default for every
     * namespace without a Sidecar of its own. For managed control planes (e.g. Alibaba Cloud ASM) whose mesh
     * config is not in the cluster.
     */
    RootNamespaceSidecar: "ROOT_NAMESPACE_SIDECAR",
    /** A selector-less `Sidecar` in each namespace of `namespaces` only; the rest of the mesh keeps its policy. */
    NamespaceSidecars: "NAMESPACE_SIDECARS",
} as const;
export type OutboundPolicyTarget = (typeof OutboundPolicyTarget)[keyof typeof OutboundPolicyTarget];

/** One external host the mesh may reach through the egress gateway. */
export interface ExternalHostArgs {
    /**
     * The external host's DNS name. Matched case-insensitively: it is lower-cased and a trailing dot is dropped.
     * It names the host's Kubernetes objects, so renaming a host replaces them.
     * @example "aliyun.com"
     */
    host: string;
    /**
     * What the application sends and what the gateway forwards.
     * @default EgressMode.Http
     */
    mode?: EgressMode;
    /**
     * The port the application connects to.
     * @default 443 for `TLS_PASSTHROUGH`, 80 for the HTTP modes; required for `TCP`
     * @example 8080
     */
    port?: number;
    /**
     * The host's port the gateway connects to, when it originates TLS.
     * @default 443 for the origination modes; `port` otherwise
     */
    externalPort?: number;
    /**
     * The gateway port of a host that gets one of its own (`TCP`, and `TLS_PASSTHROUGH` with the mutual-TLS hop).
     * Without it the port is derived from the host, in 20000-32767 (README: "Gateway ports").
     * @default derived from the host
     * @example 20443
     */
    gatewayPort?: number;
    /**
     * For a wildcard host (`*.example.com`, `TLS_PASSTHROUGH` only): the one concrete server that serves every name
     * under it; the gateway sends all of them there (Istio's "single hosting server" recipe).
     * @example "www.wikipedia.org"
     */
    upstreamHost?: string;
    /**
     * For `TCP`: the destination's addresses or CIDRs, which is how sidecars recognise its traffic. Two TCP hosts on
     * one port need distinct addresses.
     * @example ["192.0.2.0/24"]
     */
    addresses?: string[];
    /**
     * For `TCP`: the destination's IP addresses (`resolution: STATIC`). Without them the gateway resolves `host` with
     * DNS. (`resolution: NONE` is never used: through a gateway it would send the traffic back to the gateway.)
     * @example ["192.0.2.10", "192.0.2.11"]
     */
    endpoints?: string[];
    /**
     * The workloads allowed to reach this host through the gateway (AuthorizationPolicy on the gateway, which needs
     * the `ISTIO_MUTUAL` hop). Without it every workload of the mesh may.
     * @default every workload
     * @example [{ namespace: "payments" }]
     */
    from?: SourceArgs[];
    /**
     * How the gateway verifies the host, for the origination modes.
     * @default verify against the system roots, SNI = the host
     */
    tls?: OriginationTlsArgs;
}

/** CPU and memory for the gateway's proxy container, as Kubernetes quantities. */
export interface ResourceQuantitiesArgs {
    /**
     * CPU quantity.
     * @example "100m"
     */
    cpu?: pulumi.Input<string>;
    /**
     * Memory quantity.
     * @example "128Mi"
     */
    memory?: pulumi.Input<string>;
}

/** Resource requests and limits of the gateway's proxy container. */
export interface GatewayResourcesArgs {
    /**
     * What the scheduler reserves per replica.
     * @default { cpu: "100m", memory: "128Mi" }
     */
    requests?: pulumi.Input<ResourceQuantitiesArgs>;
    /**
     * The most a replica may use.
     * @default { cpu: "2", memory: "1Gi" }
     */
    limits?: pulumi.Input<ResourceQuantitiesArgs>;
}

/** A Kubernetes toleration for the gateway pods (dedicated egress nodes are usually tainted). */
export interface TolerationArgs {
    /**
     * The taint key to tolerate; empty with operator `Exists` tolerates every taint.
     * @example "dedicated"
     */
    key?: pulumi.Input<string>;
    /**
     * `Equal` or `Exists`.
     * @default "Equal"
     */
    operator?: pulumi.Input<string>;
    /**
     * The taint value to match when the operator is `Equal`.
     * @example "egress"
     */
    value?: pulumi.Input<string>;
    /**
     * `NoSchedule`, `PreferNoSchedule` or `NoExecute`; empty matches all effects.
     * @example "NoSchedule"
     */
    effect?: pulumi.Input<string>;
}

/** A HorizontalPodAutoscaler for the gateway Deployment, scaling on CPU. */
export interface GatewayAutoscalingArgs {
    /**
     * Fewest replicas.
     * @default 2
     */
    minReplicas?: number;
    /**
     * Most replicas.
     * @default 5
     */
    maxReplicas?: number;
    /**
     * Average CPU utilisation, in percent of the request, that the autoscaler aims for.
     * @default 80
     */
    targetCpuUtilizationPercentage?: number;
}

/** A PodDisruptionBudget that keeps the gateway serving while nodes are drained. */
export interface GatewayDisruptionBudgetArgs {
    /**
     * Whether to create the PodDisruptionBudget.
     * @default true
     */
    enabled?: boolean;
    /**
     * How many gateway pods a voluntary disruption may take down at once.
     * @default 1
     */
    maxUnavailable?: number;
}

/** The egress gateway workload that MeshEgress deploys (the istio/gateway Helm chart's objects). */
export interface EgressGatewayArgs {
    /**
     * Name of the gateway's ServiceAccount, Deployment, Service and PodDisruptionBudget.
     * @default "<component name>-gateway"
     * @example "istio-egressgateway"
     */
    name?: string;
    /**
     * Namespace of the gateway workload and of every Istio object MeshEgress creates. It must exist and must not
     * disable sidecar injection (the gateway is injected with Istio's `gateway` template).
     * @default "istio-system"
     */
    namespace?: string;
    /**
     * Labels that identify the gateway pods: the Service selector and every Istio Gateway's `selector`.
     * @default { istio: "egressgateway", app: "<gateway name>" }
     */
    labels?: { [key: string]: string };
    /**
     * Annotations added to the metadata of the gateway's ServiceAccount, Deployment, Service, PodDisruptionBudget
     * and HorizontalPodAutoscaler (not to its pods), e.g. `pulumi.com/skipAwait: "true"` where pods cannot run.
     * @default {}
     */
    annotations?: { [key: string]: string };
    /**
     * Number of gateway pods. Ignored when `autoscaling` is set.
     * @default 2
     */
    replicas?: pulumi.Input<number>;
    /**
     * Requests and limits of the proxy container.
     * @default { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "2", memory: "1Gi" } }
     */
    resources?: pulumi.Input<GatewayResourcesArgs>;
    /**
     * Node labels the gateway pods must run on, e.g. dedicated egress nodes with stable source IPs.
     * @default {}
     * @example { "node-role.example.com/egress": "true" }
     */
    nodeSelector?: pulumi.Input<{ [key: string]: pulumi.Input<string> }>;
    /**
     * Taints the gateway pods tolerate.
     * @default []
     */
    tolerations?: pulumi.Input<pulumi.Input<TolerationArgs>[]>;
    /**
     * Whether to spread the gateway pods across nodes (`topologySpreadConstraints` on `kubernetes.io/hostname`,
     * best effort), so one node failure does not take egress down.
     * @default true
     */
    spreadAcrossNodes?: boolean;
    /**
     * The PodDisruptionBudget.
     * @default { enabled: true, maxUnavailable: 1 }
     */
    podDisruptionBudget?: GatewayDisruptionBudgetArgs;
    /**
     * When set, a HorizontalPodAutoscaler owns the replica count.
     * @default no autoscaler
     */
    autoscaling?: GatewayAutoscalingArgs;
}

/** An egress gateway that already runs (e.g. one a managed mesh created); MeshEgress creates no workload for it. */
export interface ExistingGatewayArgs {
    /**
     * Labels of the existing gateway pods, used as every Istio Gateway's `selector`.
     * @example { istio: "egressgateway" }
     */
    selector: { [key: string]: string };
    /**
     * Name of the existing gateway's Kubernetes Service.
     * @example "istio-egressgateway"
     */
    serviceName: string;
    /**
     * Namespace of the existing gateway's Service; MeshEgress's Istio objects go there too.
     * @default "istio-system"
     */
    namespace?: string;
}

/** Where Istio's control plane lives. */
export interface IstioControlPlaneArgs {
    /**
     * The namespace istiod and its mesh config ConfigMap live in.
     * @default "istio-system"
     */
    namespace?: string;
    /**
     * The control-plane revision: its mesh config is ConfigMap `istio-<revision>` and the gateway pods get label
     * `istio.io/rev: <revision>` so that revision injects them. Empty means the default revision.
     * @default ""
     * @example "1-30"
     */
    revision?: string;
    /**
     * Istio's root configuration namespace (`meshConfig.rootNamespace`), where a selector-less Sidecar is the mesh
     * default.
     * @default the Istio namespace
     */
    rootNamespace?: string;
}

/** The mesh's outbound traffic policy and where it is written. */
export interface OutboundTrafficPolicyArgs {
    /**
     * The policy for hosts that are not declared. It takes effect only after every declared host's routes exist.
     * @default OutboundTrafficPolicyMode.RegistryOnly
     */
    mode?: OutboundTrafficPolicyMode;
    /**
     * Where the policy is written.
     * @default OutboundPolicyTarget.MeshConfig
     */
    target?: OutboundPolicyTarget;
    /**
     * The namespaces that get the policy, for target `NAMESPACE_SIDECARS` (each must have no other selector-less
     * Sidecar).
     * @example ["payments"]
     */
    namespaces?: string[];
}

/** A workload allowed to reach a host through the gateway, identified by its mesh identity. */
export interface SourceArgs {
    /**
     * The client's namespace.
     * @example "payments"
     */
    namespace: string;
    /**
     * The client's ServiceAccount; without it, every workload of the namespace. (Istio authorizes callers by
     * identity, not by pod labels: give the workloads to single out a ServiceAccount of their own.)
     * @example "checkout"
     */
    serviceAccount?: string;
}

/** NetworkPolicies that stop pods from reaching the internet around the egress gateway. */
export interface AntiBypassArgs {
    /**
     * Client namespaces whose pods may send traffic only to cluster DNS, the Istio control plane, the egress
     * gateway, their own namespace and `allowNamespaces`. Namespaces are selected by the label
     * `kubernetes.io/metadata.name`, which Kubernetes sets on every namespace.
     * @example ["payments"]
     */
    namespaces: string[];
    /**
     * Other in-cluster namespaces those pods may reach.
     * @default []
     * @example ["shared-services"]
     */
    allowNamespaces?: string[];
    /**
     * The namespace of cluster DNS.
     * @default "kube-system"
     */
    dnsNamespace?: string;
}

/** Access logs of the egress gateway: the one place every external request passes. */
export interface AccessLogArgs {
    /**
     * Whether the gateway logs every request (Telemetry API, scoped to the gateway pods).
     * @default true
     */
    enabled?: boolean;
    /**
     * The mesh's access-log provider to use (a name from meshConfig.extensionProviders, or Istio's built-in `envoy`).
     * @default "envoy"
     */
    provider?: string;
}

/** Credentials of a Kubernetes cluster. */
export interface KubernetesClusterArgs {
    /**
     * Kubeconfig contents (not a path). Treated as a secret.
     */
    kubeconfig: pulumi.Input<string>;
    /**
     * Context to use.
     * @default the kubeconfig's current context
     */
    context?: pulumi.Input<string>;
}

/** The arguments of a MeshEgress. */
export interface MeshEgressArgs {
    /**
     * The external hosts the mesh may reach, each routed mesh → egress gateway → host. The list decides which
     * objects exist, so it is a plain value; order does not matter.
     * @example [{ host: "aliyun.com" }, { host: "api.stripe.com", mode: EgressMode.TlsPassthrough }]
     */
    hosts: ExternalHostArgs[];
    /**
     * The egress gateway workload MeshEgress deploys. Mutually exclusive with `existingGateway`.
     * @default a two-replica gateway `<name>-gateway` in `istio-system`
     */
    gateway?: EgressGatewayArgs;
    /**
     * Use a gateway that already runs instead of deploying one. Mutually exclusive with `gateway`.
     */
    existingGateway?: ExistingGatewayArgs;
    /**
     * The outbound traffic policy.
     * @default { mode: "REGISTRY_ONLY", target: "MESH_CONFIG" }
     */
    outboundTrafficPolicy?: OutboundTrafficPolicyArgs;
    /**
     * How client sidecars talk to the egress gateway.
     * @default GatewayHopTls.IstioMutual
     */
    gatewayHopTls?: GatewayHopTls;
    /**
     * Namespaces whose sidecars see the ServiceEntries and VirtualServices (Istio `exportTo`): `*` is every
     * namespace, `.` the objects' own. Traffic from a namespace that does not see them leaves without the gateway
     * (ALLOW_ANY) or is blocked (REGISTRY_ONLY). The gateway DestinationRules are always visible to every namespace.
     * @default ["*"]
     * @example ["payments", "checkout"]
     */
    exportTo?: string[];
    /**
     * NetworkPolicies so that pods of the listed namespaces cannot leave the cluster except through the gateway
     * (REGISTRY_ONLY alone does not stop a pod that bypasses its sidecar).
     * @default none
     */
    antiBypass?: AntiBypassArgs;
    /**
     * Access logs at the gateway.
     * @default { enabled: true, provider: "envoy" }
     */
    accessLog?: AccessLogArgs;
    /**
     * Where Istio's control plane lives.
     * @default { namespace: "istio-system" }
     */
    istio?: IstioControlPlaneArgs;
    /**
     * The cluster that holds Istio's configuration, when it is not the gateway workload's cluster (a managed
     * control plane such as ASM keeps Istio objects in its own API server). Istio objects then go through a
     * Kubernetes provider made from these credentials, and the mesh config edit uses them too. Unset, Istio objects
     * use the component's own provider, and the mesh config edit (target `MESH_CONFIG`) uses `$KUBECONFIG` or
     * `~/.kube/config`: set this when your provider uses any other kubeconfig.
     * @default the component's provider
     */
    istioCluster?: KubernetesClusterArgs;
}
