// Recipe B, TLS passthrough: the app sends TLS (HTTPS) to the host; the sidecar and the gateway route the encrypted
// stream by SNI without terminating it. Istio task "Egress Gateways", section "Egress gateway for HTTPS traffic".
import { HostContext, HostRecipe, VISIBLE_TO_ALL_NAMESPACES, gatewaySubsetRule, istioObject } from "./host";

export function tlsPassthroughRecipe(context: HostContext): HostRecipe {
    const { host, port } = context.host;
    const portName = `tls-${port}`;
    return {
        serviceEntry: istioObject(context, "ServiceEntry", {
            hosts: [host],
            location: "MESH_EXTERNAL",
            resolution: "DNS",
            ports: [{ number: port, name: portName, protocol: "TLS" }],
            exportTo: VISIBLE_TO_ALL_NAMESPACES,
        }),
        gateway: istioObject(context, "Gateway", {
            selector: context.gatewaySelector,
            servers: [
                {
                    port: { number: port, name: portName, protocol: "TLS" },
                    hosts: [host],
                    tls: { mode: "PASSTHROUGH" },
                },
            ],
        }),
        destinationRule: gatewaySubsetRule(context),
        virtualService: istioObject(context, "VirtualService", {
            hosts: [host],
            gateways: ["mesh", context.gatewayRef],
            exportTo: VISIBLE_TO_ALL_NAMESPACES,
            tls: [
                {
                    match: [{ gateways: ["mesh"], port, sniHosts: [host] }],
                    route: [
                        {
                            destination: { host: context.gatewayHost, subset: context.subset, port: { number: port } },
                        },
                    ],
                },
                {
                    match: [{ gateways: [context.gatewayRef], port, sniHosts: [host] }],
                    route: [{ destination: { host, port: { number: port } } }],
                },
            ],
        }),
    };
}
