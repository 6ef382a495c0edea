// The routing API "ISTIO" (Istio's egress tasks): per host a `Gateway` with one server on the host's gateway port,
// and a `VirtualService` with both hops. When the gateway hop leads to an alias only the gateway's namespace sees
// (origination, wildcards), that hop is a VirtualService of its own, exported to that namespace alone: a route
// visible to clients must not name a host they cannot see (istioctl analyze IST0101).
//
// By the app's protocol:
// - HTTP: `http` routes on both hops; the gateway server terminates the hop's Istio mTLS (HTTPS) or takes plain HTTP.
// - TLS: `tls` routes by SNI on the mesh hop; the gateway passes TLS through by SNI (plain hop) or terminates the
//   hop's mTLS, whose SNI names the host, and forwards the app's TLS inside by a `tcp` route ("TLS in mTLS").
// - TCP: `tcp` routes; the gateway terminates the hop's mTLS (hosts share their port, told apart by SNI) or listens
//   on a port of the host's own (plain TCP has no name on the wire).
import { hostObject } from "../context";
import { Manifest } from "../manifest";
import { HostRouting, RoutedHost } from "./routed";

/** A VirtualService's routes by protocol (`http`, `tls`, `tcp`). */
type Routes = Record<string, Record<string, unknown>[]>;

/** The host's one Gateway server: its port and TLS, by the app's protocol and the hop's TLS. */
function gatewayServer(context: RoutedHost): Record<string, unknown> {
    const { appProtocol, gatewayPort } = context.host;
    const port = (protocol: string) => ({
        number: gatewayPort,
        name: `${protocol.toLowerCase()}-${gatewayPort}`,
        protocol,
    });
    if (appProtocol === "HTTP") {
        return context.mutualHop ? { port: port("HTTPS"), tls: { mode: "ISTIO_MUTUAL" } } : { port: port("HTTP") };
    }
    if (appProtocol === "TLS") {
        return { port: port("TLS"), tls: { mode: context.mutualHop ? "ISTIO_MUTUAL" : "PASSTHROUGH" } };
    }
    return context.mutualHop ? { port: port("TLS"), tls: { mode: "ISTIO_MUTUAL" } } : { port: port("TCP") };
}

/** The routes of both hops: mesh → the host's hop alias, gateway → where the gateway sends the host. */
function hopRoutes(context: RoutedHost): { mesh: Routes; gateway: Routes } {
    const { host, port, appProtocol, gatewayPort } = context.host;
    const toGateway = [{ destination: { host: context.hopAlias, port: { number: gatewayPort } } }];
    const toHost = [{ destination: { host: context.to.host, port: { number: context.to.port } } }];
    const atGateway = (match: Record<string, unknown>) => [{ gateways: [context.gatewayRef], ...match }];
    if (appProtocol === "HTTP") {
        return {
            mesh: {
                http: [{ name: "mesh-to-egress-gateway", match: [{ gateways: ["mesh"], port }], route: toGateway }],
            },
            gateway: {
                http: [
                    {
                        name: "egress-gateway-to-host",
                        match: atGateway({
                            port: gatewayPort,
                            ...(context.to.authority ? { authority: { regex: context.to.authority } } : {}),
                        }),
                        route: toHost,
                    },
                ],
            },
        };
    }
    if (appProtocol === "TLS") {
        return {
            mesh: { tls: [{ match: [{ gateways: ["mesh"], port, sniHosts: [host] }], route: toGateway }] },
            gateway: context.mutualHop
                ? { tcp: [{ match: atGateway({ port: gatewayPort }), route: toHost }] }
                : { tls: [{ match: atGateway({ port, sniHosts: [host] }), route: toHost }] },
        };
    }
    // The ServiceEntry's addresses already bind the sidecar's listener to the host's CIDRs.
    return {
        mesh: { tcp: [{ match: [{ gateways: ["mesh"], port }], route: toGateway }] },
        gateway: { tcp: [{ match: atGateway({ port: gatewayPort }), route: toHost }] },
    };
}

function virtualServices(context: RoutedHost): Manifest[] {
    const hosts = [context.host.host];
    const routes = hopRoutes(context);
    if (!context.to.gatewayOnly) {
        const merged: Routes = { ...routes.mesh };
        for (const [kind, list] of Object.entries(routes.gateway)) merged[kind] = [...(merged[kind] ?? []), ...list];
        const spec = { hosts, gateways: ["mesh", context.gatewayRef], exportTo: context.visibility, ...merged };
        return [hostObject(context, "VirtualService", spec)];
    }
    const gatewayHop = { hosts, gateways: [context.gatewayRef], exportTo: ["."], ...routes.gateway };
    const meshHop = { hosts, gateways: ["mesh"], exportTo: context.clients, ...routes.mesh };
    return [
        hostObject(context, "VirtualService", gatewayHop, { name: context.gatewayRouteName }),
        hostObject(context, "VirtualService", meshHop),
    ];
}

export function istioRouting(context: RoutedHost): HostRouting {
    const server = { ...gatewayServer(context), hosts: [context.host.host] };
    return {
        listener: hostObject(context, "Gateway", { selector: context.gatewaySelector, servers: [server] }),
        routes: virtualServices(context),
    };
}
