// The outbound traffic policy, anti-bypass NetworkPolicies and access logs.

/** The mesh's policy for outbound traffic to hosts that are not in its service registry. */
export const OutboundTrafficPolicyMode = {
    /** Only registered hosts are reachable; anything else gets a 502 (HTTP) or a reset (TLS). */
    RegistryOnly: "REGISTRY_ONLY",
    /** Every host is reachable; unregistered ones bypass the egress gateway. */
    AllowAny: "ALLOW_ANY",
    /**
     * ALLOW_ANY, and every connection to an undeclared host is access-logged at the client's sidecar (a Telemetry
     * whose filter keeps only traffic to Istio's `PassthroughCluster`, plus listeners on HTTP 80 and TLS 443 so the
     * log names the host), for `mesh-egress discover` to turn into a host list before you switch to REGISTRY_ONLY.
     * See docs/audit.md.
     */
    Audit: "AUDIT",
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

/** The mesh's outbound traffic policy and where it is written. */
export interface OutboundTrafficPolicy {
    /**
     * The policy for hosts that are not declared. It takes effect only after every declared host's routes exist.
     *
     * Default: `"REGISTRY_ONLY"`.
     */
    mode?: OutboundTrafficPolicyMode;
    /**
     * Where the policy is written.
     *
     * Default: `"MESH_CONFIG"`.
     */
    target?: OutboundPolicyTarget;
    /**
     * The namespaces that get the policy, for target `NAMESPACE_SIDECARS` (each must have no other selector-less
     * Sidecar).
     *
     * Default: `[]`; required for target `NAMESPACE_SIDECARS`.
     * Example: `["payments"]`.
     */
    namespaces?: string[];
}

/** NetworkPolicies that stop pods from reaching the internet around the egress gateway. */
export interface AntiBypass {
    /**
     * Client namespaces whose pods may send traffic only to cluster DNS (port 53), the Istio control plane's pods
     * (port 15012), the egress gateway's pods (its ports; the waypoint's HBONE port 15008 under AMBIENT), their own
     * namespace and `allowNamespaces`. Namespaces are selected by the label
     * `kubernetes.io/metadata.name`, which Kubernetes sets on every namespace.
     *
     * Example: `["payments"]`.
     */
    namespaces: string[];
    /**
     * Other in-cluster namespaces those pods may reach.
     *
     * Default: `[]`.
     * Example: `["shared-services"]`.
     */
    allowNamespaces?: string[];
    /**
     * The namespace of cluster DNS.
     *
     * Default: `"kube-system"`.
     */
    dnsNamespace?: string;
    /**
     * Labels of the Istio control plane's pods (istiod, in `istio.namespace`), which the pods' sidecars reach on port
     * 15012 for their configuration and certificates; nothing else in the Istio namespace is reachable.
     *
     * Default: `{ app: "istiod" }`.
     * Example: `{ app: "istiod", "istio.io/rev": "1-31" }`.
     */
    controlPlaneSelector?: { [key: string]: string };
}

/** Access logs of the egress gateway: the one place every external request passes. */
export interface AccessLog {
    /**
     * Whether the gateway logs every request (Telemetry API, scoped to the gateway pods). One component owns a
     * gateway's access log: on an existing gateway (or waypoint) it is off unless enabled here, so that several
     * components on one gateway do not write the same Telemetry; enable it in one of them at most.
     *
     * Default: `true` when MeshEgress deploys the gateway (or the waypoint), `false` on an existing one.
     */
    enabled?: boolean;
    /**
     * The mesh's access-log provider to use (a name from meshConfig.extensionProviders, or Istio's built-in `envoy`).
     *
     * Default: `"envoy"`.
     */
    provider?: string;
}
