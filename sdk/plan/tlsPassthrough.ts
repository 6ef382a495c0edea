// Recipe B, TLS passthrough: the app sends TLS (HTTPS) to the host and the gateway forwards it without decrypting.
// - Plain hop (Istio task "Egress Gateways", "Egress gateway for HTTPS traffic"): sidecar and gateway route by SNI.
// - Mutual-TLS hop ("TLS in mTLS"): the gateway terminates the hop's mTLS, whose SNI names the host, and forwards
//   the app's TLS inside by a `tcp` route; hosts share their app port on the gateway, one filter chain each.
// - Wildcard hosts (task "Egress using Wildcard Hosts", "Wildcard configuration for a single hosting server"): the
//   wildcard is matched by SNI on the mesh side and every name under it goes to one concrete upstream, declared under
//   an alias that only the gateway's namespace sees.
import {
    HostContext,
    HostRecipe,
    gatewayObject,
    hopObjects,
    istioObject,
    mutualHop,
    toGateway,
    withGateway,
    virtualServices,
} from "./host";
import { hostObjectName, upstreamAlias } from "./names";

export function tlsPassthroughRecipe(context: HostContext, componentName: string): HostRecipe {
    const { host, port, gatewayPort, upstreamHost } = context.host;
    const mutual = mutualHop(context);
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
            exportTo: withGateway(context),
        }),
        gateway: gatewayObject(context, {
            port: { number: gatewayPort, name: `tls-${gatewayPort}`, protocol: "TLS" },
            tls: { mode: mutual ? "ISTIO_MUTUAL" : "PASSTHROUGH" },
        }),
        ...hopObjects(context),
        ...virtualServices(
            context,
            {
                mesh: { tls: [{ match: [{ gateways: ["mesh"], port, sniHosts: [host] }], route: toGateway(context) }] },
                gateway: mutual
                    ? { tcp: [{ match: [{ gateways: [context.gatewayRef], port: gatewayPort }], route: toHost }] }
                    : { tls: [{ match: [{ gateways: [context.gatewayRef], port, sniHosts: [host] }], route: toHost }] },
            },
            alias !== undefined,
        ),
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
