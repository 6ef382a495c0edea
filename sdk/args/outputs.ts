// The shapes of MeshEgress's outputs that are not plain values, shared by the plan (which fills them) and the
// component (which publishes them).

/** The Istio objects MeshEgress created for one external host. */
export interface HostObjects {
    /** Namespace of the host's objects. */
    namespace: string;
    /** Name of the host's ServiceEntry. */
    serviceEntry: string;
    /** Name of the ServiceEntry through which the host's clients reach the egress gateway (the hop alias). */
    hopServiceEntry: string;
    /** Name of the host's listener on the gateway: its Istio Gateway (routingApi ISTIO) or its ListenerSet (GATEWAY_API). */
    gateway: string;
    /** Name of the host's DestinationRule (the TLS of its hop to the egress gateway). */
    destinationRule: string;
    /** Name of the host's VirtualService (mesh hop and gateway hop) under routingApi ISTIO; "" under GATEWAY_API. */
    virtualService: string;
    /**
     * The host's routes as `<kind>/<name>`, the gateway hop's first: e.g. `["VirtualService/egress-aliyun-com"]`, or
     * `["HTTPRoute/egress-aliyun-com---gateway", "HTTPRoute/egress-aliyun-com"]` under GATEWAY_API.
     */
    routes: string[];
    /** Name of the DestinationRule that originates TLS to the host (origination modes), or "". */
    originationRule: string;
    /** The gateway port the host's traffic arrives on. */
    gatewayPort: number;
}
