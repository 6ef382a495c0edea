// The shapes of MeshEgress's outputs that are not plain values, shared by the plan (which fills them) and the
// component (which publishes them).

/** The Istio objects MeshEgress created for one external host. */
export interface HostObjects {
    /**
     * Namespace of the host's objects: the gateway's (under AMBIENT with `gateway.shardNamespaces`, that of the
     * waypoint the host is bound to).
     */
    namespace: string;
    /** Name of the host's ServiceEntry. */
    serviceEntry: string;
    /**
     * Name of the ServiceEntry through which the host's clients reach the egress gateway (the hop alias). Absent under
     * data plane AMBIENT, where ztunnel reaches the waypoint directly.
     */
    hopServiceEntry?: string;
    /**
     * Name of the host's listener on the gateway: its Istio Gateway (routingApi ISTIO) or its ListenerSet
     * (GATEWAY_API); under data plane AMBIENT, the waypoint's Gateway, which every host of its namespace shares.
     */
    gateway: string;
    /** Name of the host's DestinationRule (the TLS of its hop to the egress gateway). Absent under AMBIENT. */
    destinationRule?: string;
    /** Name of the host's VirtualService (mesh hop and gateway hop) under routingApi ISTIO; absent otherwise. */
    virtualService?: string;
    /**
     * The host's routes as `<kind>/<name>`, the gateway hop's first: e.g. `["VirtualService/egress-aliyun-com"]`, or
     * `["HTTPRoute/egress-aliyun-com---gateway", "HTTPRoute/egress-aliyun-com"]` under GATEWAY_API; none under
     * AMBIENT, whose ServiceEntries are bound to the waypoint.
     */
    routes: string[];
    /** Name of the DestinationRule that originates TLS to the host (origination modes); absent otherwise. */
    originationRule?: string;
    /** The port the host's traffic arrives on at the egress point (15008, HBONE, under AMBIENT). */
    gatewayPort: number;
}
