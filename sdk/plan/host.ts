// What every per-host recipe needs to know, and the four objects each recipe returns.
import { GatewayHopTls } from "../args";
import { NormalizedHost } from "../validate/normalized";
import { ISTIO_NETWORKING, Manifest } from "./manifest";

export interface HostContext {
    host: NormalizedHost;
    /** metadata.name shared by the host's ServiceEntry, Gateway, DestinationRule and VirtualService. */
    objectName: string;
    /** The gateway DestinationRule subset for this host. */
    subset: string;
    namespace: string;
    /** FQDN of the gateway Service, e.g. `istio-egressgateway.istio-system.svc.cluster.local`. */
    gatewayHost: string;
    /** `<namespace>/<name>` of this host's Istio Gateway, as VirtualServices reference it. */
    gatewayRef: string;
    /** Labels of the gateway pods. */
    gatewaySelector: Record<string, string>;
    /** TLS between client sidecars and the gateway. */
    hopTls: GatewayHopTls;
    /** Istio `exportTo` of the ServiceEntry and VirtualService. */
    exportTo: string[];
    labels: Record<string, string>;
    annotations: Record<string, string>;
}

export interface HostRecipe {
    serviceEntry: Manifest;
    gateway: Manifest;
    destinationRule: Manifest;
    virtualService: Manifest;
    /** The DestinationRule that makes the gateway originate TLS to the host, for the origination modes. */
    originationRule?: Manifest;
    /** For a wildcard host: the ServiceEntry of the concrete server the gateway sends it to. */
    upstreamServiceEntry?: Manifest;
}

/** Every client sidecar must find the gateway's subsets, or traffic to the gateway fails (pitfall 4). */
const VISIBLE_TO_ALL_NAMESPACES = ["*"];

export function istioObject(
    context: HostContext,
    kind: string,
    spec: Record<string, unknown>,
    name = context.objectName,
): Manifest {
    return {
        apiVersion: ISTIO_NETWORKING,
        kind,
        metadata: {
            name,
            namespace: context.namespace,
            labels: context.labels,
            annotations: context.annotations,
        },
        spec,
    };
}

const mutualHop = (context: HostContext) => context.hopTls === GatewayHopTls.IstioMutual;

/**
 * The SNI of a host's Istio-mTLS hop, which the gateway's filter chain for the host matches: the host itself; for a
 * wildcard, a name under it (its upstream when that is under it, else `egress.<domain>`), since the gateway server
 * matches the wildcard.
 */
export function hopSni(host: NormalizedHost): string {
    if (!host.host.startsWith("*.")) return host.host;
    const domain = host.host.slice(2);
    return host.upstreamHost?.endsWith(`.${domain}`) ? host.upstreamHost : `egress.${domain}`;
}

/**
 * The DestinationRule naming this host's subset of the gateway Service. With the mutual-TLS hop, the subset wraps
 * the host's traffic in Istio mTLS with `sni` = the host, which is how the gateway tells hosts apart on a shared
 * port (auto mTLS does not cover the gateway hop, istio/istio#23910).
 */
export function gatewaySubsetRule(context: HostContext): Manifest {
    const { gatewayPort } = context.host;
    const subset: Record<string, unknown> = { name: context.subset };
    // The plain hop says DISABLE explicitly, or Istio's automatic mTLS would wrap it for gateway endpoints labelled
    // for Istio mTLS.
    const tls = mutualHop(context) ? { mode: "ISTIO_MUTUAL", sni: hopSni(context.host) } : { mode: "DISABLE" };
    subset.trafficPolicy = { portLevelSettings: [{ port: { number: gatewayPort }, tls }] };
    return istioObject(context, "DestinationRule", {
        host: context.gatewayHost,
        exportTo: VISIBLE_TO_ALL_NAMESPACES,
        subsets: [subset],
    });
}

/** The gateway server for a host whose app sends plain HTTP: HTTPS terminating Istio mTLS, or plain HTTP. */
export function httpGatewayServer(context: HostContext): Record<string, unknown> {
    const { host, gatewayPort } = context.host;
    return mutualHop(context)
        ? {
              port: { number: gatewayPort, name: `https-${gatewayPort}`, protocol: "HTTPS" },
              hosts: [host],
              tls: { mode: "ISTIO_MUTUAL" },
          }
        : { port: { number: gatewayPort, name: `http-${gatewayPort}`, protocol: "HTTP" }, hosts: [host] };
}

/** Where the gateway sends a host's traffic: a ServiceEntry host and port. */
export interface Upstream {
    host: string;
    port: number;
}

/** The VirtualService `http` routes: mesh → this host's gateway subset, gateway → the upstream. */
export function httpRoutes(context: HostContext, upstream: Upstream): Record<string, unknown>[] {
    const { port, gatewayPort } = context.host;
    return [
        {
            name: "mesh-to-egress-gateway",
            match: [{ gateways: ["mesh"], port }],
            route: [
                { destination: { host: context.gatewayHost, subset: context.subset, port: { number: gatewayPort } } },
            ],
        },
        {
            name: "egress-gateway-to-host",
            match: [{ gateways: [context.gatewayRef], port: gatewayPort }],
            route: [{ destination: { host: upstream.host, port: { number: upstream.port } } }],
        },
    ];
}
