// What a routing seam needs to route one host through the egress gateway, and what it returns. The routes carry
// the host on two hops:
//
//   client sidecar --(mesh route)--> hop alias --(Istio mTLS, SNI = host)--> gateway pod
//   gateway --(its listener for the host, gateway route)--> the host (or the upstream alias only the gateway sees)
//
// Which listener and which route kinds is decided by the app's protocol and the hop's TLS alone, in either API.
import { HostContext } from "../context";
import { Manifest } from "../manifest";

export interface RoutedHost extends HostContext {
    /** Host name of the hop alias: the gateway, as this host's clients address it. */
    hopAlias: string;
    /** metadata.name of the gateway hop's own route, when it has one. */
    gatewayRouteName: string;
    /** `<namespace>/<name>` of this host's Istio Gateway, as VirtualServices reference it. */
    gatewayRef: string;
    /** metadata.name of the shared Gateway API Gateway that each host's ListenerSet attaches to. */
    sharedGatewayName: string;
    /** Labels of the gateway pods. */
    gatewaySelector: Record<string, string>;
    /** Whether the hop is Istio mutual TLS (the gateway then tells hosts apart by the hop's SNI). */
    mutualHop: boolean;
    /**
     * Where the gateway sends the host's traffic: the host on its port, or an alias only the gateway's namespace sees
     * (`gatewayOnly`: origination's TLS port, a wildcard's one server); `authority`, a regular expression the
     * request's Host must match on the gateway hop (a wildcard resolved per name: which port the gateway connects to).
     */
    to: { host: string; port: number; gatewayOnly: boolean; authority?: string };
}

/** A host's listener on the gateway and its routes, in creation order. */
export interface HostRouting {
    listener: Manifest;
    routes: Manifest[];
}
