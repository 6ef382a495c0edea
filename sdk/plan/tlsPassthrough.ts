// Recipe B, TLS passthrough: the app sends TLS (HTTPS) to the host and the gateway forwards it without decrypting.
// - Plain hop (Istio task "Egress Gateways", "Egress gateway for HTTPS traffic"): sidecar and gateway route by SNI.
// - Mutual-TLS hop (recipe D, "TLS in mTLS"): the gateway terminates the hop's mTLS and cannot see the app's SNI
//   inside, so the host gets a gateway port of its own and the gateway side is a `tcp` route by port.
// - Wildcard hosts (recipe F, task "Egress using Wildcard Hosts", "Wildcard configuration for a single hosting
//   server"): the wildcard is matched by SNI on the mesh side and every name under it goes to one concrete upstream,
//   declared by a second ServiceEntry that only the gateway's namespace sees.
import { GatewayHopTls } from "../args";
import { HostContext, HostRecipe, gatewaySubsetRule, istioObject } from "./host";
import { hostObjectName, upstreamAlias } from "./names";

export function tlsPassthroughRecipe(context: HostContext, componentName: string): HostRecipe {
    const { host, port, gatewayPort, upstreamHost } = context.host;
    const mutualHop = context.hopTls === GatewayHopTls.IstioMutual;
    const meshRoute = {
        match: [{ gateways: ["mesh"], port, sniHosts: [host] }],
        route: [{ destination: { host: context.gatewayHost, subset: context.subset, port: { number: gatewayPort } } }],
    };
    const alias = upstreamHost ? upstreamAlias(componentName, host) : undefined;
    const toHost = [{ destination: { host: alias ?? host, port: { number: port } } }];
    const ports = [{ number: port, name: `tls-${port}`, protocol: "TLS" }];
    const recipe: HostRecipe = {
        serviceEntry: istioObject(context, "ServiceEntry", {
            hosts: [host],
            location: "MESH_EXTERNAL",
            // A wildcard cannot be resolved; sidecars only match it by SNI and send it to the gateway.
            resolution: upstreamHost ? "NONE" : "DNS",
            ports,
            exportTo: context.exportTo,
        }),
        gateway: istioObject(context, "Gateway", {
            selector: context.gatewaySelector,
            servers: [
                {
                    port: { number: gatewayPort, name: `tls-${gatewayPort}`, protocol: "TLS" },
                    hosts: [host],
                    tls: { mode: mutualHop ? "ISTIO_MUTUAL" : "PASSTHROUGH" },
                },
            ],
        }),
        destinationRule: gatewaySubsetRule(context),
        virtualService: istioObject(context, "VirtualService", {
            hosts: [host],
            gateways: ["mesh", context.gatewayRef],
            exportTo: context.exportTo,
            tls: mutualHop
                ? [meshRoute]
                : [meshRoute, { match: [{ gateways: [context.gatewayRef], port, sniHosts: [host] }], route: toHost }],
            ...(mutualHop
                ? { tcp: [{ match: [{ gateways: [context.gatewayRef], port: gatewayPort }], route: toHost }] }
                : {}),
        }),
    };
    if (upstreamHost && alias) {
        recipe.upstreamServiceEntry = istioObject(
            context,
            "ServiceEntry",
            {
                hosts: [alias],
                location: "MESH_EXTERNAL",
                resolution: "DNS",
                endpoints: [{ address: upstreamHost }],
                ports,
                exportTo: ["."],
            },
            hostObjectName(componentName, host, "upstream"),
        );
    }
    return recipe;
}
