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
    /** Name of the host's Istio Gateway. */
    gateway: string;
    /** Name of the host's DestinationRule (the TLS of its hop to the egress gateway). */
    destinationRule: string;
    /** Name of the host's VirtualService (mesh hop and gateway hop). */
    virtualService: string;
    /** Name of the DestinationRule that originates TLS to the host (origination modes), or "". */
    originationRule: string;
    /** The gateway port the host's traffic arrives on. */
    gatewayPort: number;
}
