// Recipe B, TLS passthrough: the app sends TLS (HTTPS) to the host and the gateway forwards it without decrypting.
// - Plain hop (Istio task "Egress Gateways", "Egress gateway for HTTPS traffic"): sidecar and gateway route by SNI.
// - Mutual-TLS hop (recipe D, "TLS in mTLS"): the gateway terminates the hop's mTLS and cannot see the app's SNI
//   inside, so the host gets a gateway port of its own and the gateway side is a `tcp` route by port.
import { GatewayHopTls } from "../args";
import { HostContext, HostRecipe, gatewaySubsetRule, istioObject } from "./host";

export function tlsPassthroughRecipe(context: HostContext): HostRecipe {
    const { host, port, gatewayPort } = context.host;
    const mutualHop = context.hopTls === GatewayHopTls.IstioMutual;
    const meshRoute = {
        match: [{ gateways: ["mesh"], port, sniHosts: [host] }],
        route: [{ destination: { host: context.gatewayHost, subset: context.subset, port: { number: gatewayPort } } }],
    };
    const toHost = [{ destination: { host, port: { number: port } } }];
    return {
        serviceEntry: istioObject(context, "ServiceEntry", {
            hosts: [host],
            location: "MESH_EXTERNAL",
            resolution: "DNS",
            ports: [{ number: port, name: `tls-${port}`, protocol: "TLS" }],
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
            ...(mutualHop ? { tcp: [{ match: [{ gateways: [context.gatewayRef], port: gatewayPort }], route: toHost }] } : {}),
        }),
    };
}
