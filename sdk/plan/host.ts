// What every per-host recipe needs, and the objects each one returns. The shape every mode shares:
//
//   client sidecar --(VirtualService, mesh)--> hop alias --(Istio mTLS, SNI = host)--> gateway pod
//   gateway --(its Gateway server for the host, VirtualService)--> the host (or its upstream alias)
//
// The hop alias is a ServiceEntry of the host's own (MESH_INTERNAL, its endpoints the gateway pods through a
// workloadSelector) with a DestinationRule of its own. Every client cluster for the gateway is therefore one per
// host, with no term in hosts × gateway ports (a subset of the gateway Service would be one cluster per port of that
// Service, and per-host DestinationRules on one host are merged by istiod at quadratic cost), and each host's alias is
// visible only where the host is (`from`, `exportTo`).
import { GatewayHopTls } from "../args";
import { hopSni } from "../validate/names";
import { NormalizedHost } from "../validate/normalized";
import { Manifest } from "./manifest";

export interface HostContext {
    host: NormalizedHost;
    /** metadata.name of the host's ServiceEntry, Gateway, DestinationRule, VirtualService. */
    objectName: string;
    /** The gateway namespace, where every Istio object goes. */
    namespace: string;
    /** Host name of the hop alias: the gateway, as this host's clients address it. */
    hopAlias: string;
    /** metadata.name of the hop alias ServiceEntry. */
    hopAliasName: string;
    /** metadata.name of the gateway hop's own VirtualService, when it has one. */
    gatewayRouteName: string;
    /** `<namespace>/<name>` of this host's Istio Gateway, as VirtualServices reference it. */
    gatewayRef: string;
    /** metadata.name of the shared Gateway API Gateway that each host's ListenerSet attaches to. */
    sharedGatewayName: string;
    /** Labels of the gateway pods. */
    gatewaySelector: Record<string, string>;
    /** The port the gateway pods listen on for this host's gateway port. */
    gatewayPodPort: number;
    /** The networking.istio.io API version the mesh's release serves. */
    networkingApi: string;
    /** TLS between client sidecars and the gateway. */
    hopTls: GatewayHopTls;
    /** Namespaces whose sidecars may use the host (its `from` namespaces, else `exportTo`). */
    clients: string[];
    labels: Record<string, string>;
    annotations: Record<string, string>;
}

export interface HostRecipe {
    serviceEntry: Manifest;
    gateway: Manifest;
    /** The hop alias: a ServiceEntry whose endpoints are the gateway pods. */
    hopServiceEntry: Manifest;
    /** The hop's TLS (Istio mTLS with the host's SNI, or none). */
    destinationRule: Manifest;
    virtualService: Manifest;
    /** The gateway hop's routes, when they lead to an alias only the gateway sees (virtualServices()). */
    gatewayVirtualService?: Manifest;
    /** The DestinationRule that makes the gateway originate TLS to the host, for the origination modes. */
    originationRule?: Manifest;
    /** The ServiceEntry only the gateway sees for the server it connects to (origination, wildcards). */
    upstreamServiceEntry?: Manifest;
}

/** What routes a host through the gateway, in one routing API: its listener there and its routes, in creation order. */
export interface HostRouting {
    listener: Manifest;
    routes: Manifest[];
}

/** The Istio routing API's share of a recipe: the host's Gateway and VirtualService(s). */
export function istioRouting(recipe: HostRecipe): HostRouting {
    const routes = recipe.gatewayVirtualService ? [recipe.gatewayVirtualService] : [];
    return { listener: recipe.gateway, routes: [...routes, recipe.virtualService] };
}

/** Where the gateway sends a host's traffic: a ServiceEntry host and port. */
export interface Upstream {
    host: string;
    port: number;
}

export function istioObject(
    context: HostContext,
    kind: string,
    spec: Record<string, unknown>,
    name = context.objectName,
): Manifest {
    return {
        apiVersion: context.networkingApi,
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

export const mutualHop = (context: HostContext) => context.hopTls === GatewayHopTls.IstioMutual;

/** The clients' namespaces plus the gateway's own, which must see the host's ServiceEntry and VirtualService. */
export function withGateway(context: HostContext): string[] {
    return context.clients.includes("*") ? ["*"] : [...new Set([...context.clients, context.namespace])].sort();
}

/**
 * An address no packet is ever sent to (240.0.0.0/4 is reserved and never routed). A non-HTTP hop alias is declared
 * on it, so that its entry on client sidecars is a listener of its own: declared on the app's port of every address
 * (no address), its SNI filter chain would add a TLS inspector to that port's listener, which waits for five bytes from
 * the client before routing — and a protocol whose client speaks second (MySQL) or sends less would hang.
 */
export const HOP_ALIAS_ADDRESS = "240.240.240.240";

/**
 * The hop alias and its DestinationRule. The alias port's protocol only shapes the alias's own entry on client
 * sidecars: HTTP adds a virtual host named after the alias to the port's route; anything else is declared TLS on
 * HOP_ALIAS_ADDRESS, a listener that only matches the alias name as SNI and never takes an app's traffic.
 */
export function hopObjects(context: HostContext): Pick<HostRecipe, "hopServiceEntry" | "destinationRule"> {
    const { appProtocol, gatewayPort } = context.host;
    const protocol = appProtocol === "HTTP" ? "HTTP" : "TLS";
    return {
        hopServiceEntry: istioObject(
            context,
            "ServiceEntry",
            {
                hosts: [context.hopAlias],
                ...(protocol === "HTTP" ? {} : { addresses: [HOP_ALIAS_ADDRESS] }),
                location: "MESH_INTERNAL",
                resolution: "STATIC",
                workloadSelector: { labels: context.gatewaySelector },
                ports: [
                    {
                        number: gatewayPort,
                        name: `${protocol.toLowerCase()}-${gatewayPort}`,
                        protocol,
                        targetPort: context.gatewayPodPort,
                    },
                ],
                exportTo: context.clients,
            },
            context.hopAliasName,
        ),
        // mTLS to the gateway is never automatic (istio/istio#23910); the plain hop says DISABLE so that automatic
        // mTLS cannot wrap it either.
        destinationRule: istioObject(context, "DestinationRule", {
            host: context.hopAlias,
            exportTo: context.clients,
            trafficPolicy: {
                tls: mutualHop(context) ? { mode: "ISTIO_MUTUAL", sni: hopSni(context.host) } : { mode: "DISABLE" },
            },
        }),
    };
}

/** The mesh hop's destination: the host's hop alias on its gateway port. */
export function toGateway(context: HostContext): Record<string, unknown>[] {
    return [{ destination: { host: context.hopAlias, port: { number: context.host.gatewayPort } } }];
}

/** The host's Gateway object: one server, on the host's gateway port, for the host alone. */
export function gatewayObject(context: HostContext, server: Record<string, unknown>): Manifest {
    return istioObject(context, "Gateway", {
        selector: context.gatewaySelector,
        servers: [{ ...server, hosts: [context.host.host] }],
    });
}

/** The gateway server for a host whose app sends plain HTTP: HTTPS terminating Istio mTLS, or plain HTTP. */
export function httpGatewayServer(context: HostContext): Record<string, unknown> {
    const { gatewayPort } = context.host;
    return mutualHop(context)
        ? {
              port: { number: gatewayPort, name: `https-${gatewayPort}`, protocol: "HTTPS" },
              tls: { mode: "ISTIO_MUTUAL" },
          }
        : { port: { number: gatewayPort, name: `http-${gatewayPort}`, protocol: "HTTP" } };
}

/** A VirtualService's routes by protocol (`http`, `tls`, `tcp`). */
export type Routes = Record<string, Record<string, unknown>[]>;

/** The `http` routes of both hops: mesh → the host's hop alias, gateway → the upstream. */
export function httpRoutes(context: HostContext, upstream: Upstream): { mesh: Routes; gateway: Routes } {
    const { port, gatewayPort } = context.host;
    return {
        mesh: {
            http: [
                { name: "mesh-to-egress-gateway", match: [{ gateways: ["mesh"], port }], route: toGateway(context) },
            ],
        },
        gateway: {
            http: [
                {
                    name: "egress-gateway-to-host",
                    match: [{ gateways: [context.gatewayRef], port: gatewayPort }],
                    route: [{ destination: { host: upstream.host, port: { number: upstream.port } } }],
                },
            ],
        },
    };
}

/**
 * The host's VirtualService with both hops. When the gateway hop leads to an alias that only the gateway's
 * namespace sees (origination, wildcards), that hop is a VirtualService of its own, exported to that namespace alone:
 * a route visible to clients must not name a host they cannot see (istioctl analyze IST0101).
 */
export function virtualServices(
    context: HostContext,
    routes: { mesh: Routes; gateway: Routes },
    gatewayOnlyUpstream: boolean,
): Pick<HostRecipe, "virtualService" | "gatewayVirtualService"> {
    const hosts = [context.host.host];
    if (!gatewayOnlyUpstream) {
        const merged: Routes = { ...routes.mesh };
        for (const [kind, list] of Object.entries(routes.gateway)) merged[kind] = [...(merged[kind] ?? []), ...list];
        return {
            virtualService: istioObject(context, "VirtualService", {
                hosts,
                gateways: ["mesh", context.gatewayRef],
                exportTo: withGateway(context),
                ...merged,
            }),
        };
    }
    return {
        virtualService: istioObject(context, "VirtualService", {
            hosts,
            gateways: ["mesh"],
            exportTo: context.clients,
            ...routes.mesh,
        }),
        gatewayVirtualService: istioObject(
            context,
            "VirtualService",
            { hosts, gateways: [context.gatewayRef], exportTo: ["."], ...routes.gateway },
            context.gatewayRouteName,
        ),
    };
}
