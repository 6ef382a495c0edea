// Recipe A, plain HTTP (the seed): the app sends HTTP to the host; the sidecar sends it to the egress gateway,
// which routes it by Host to the external host. Istio task "Egress Gateways", section "Egress gateway for HTTP
// traffic".
import { HostContext, HostRecipe, VISIBLE_TO_ALL_NAMESPACES, gatewaySubsetRule, istioObject } from "./host";

export function httpRecipe(context: HostContext): HostRecipe {
    const { host, port } = context.host;
    const portName = `http-${port}`;
    return {
        serviceEntry: istioObject(context, "ServiceEntry", {
            hosts: [host],
            location: "MESH_EXTERNAL",
            resolution: "DNS",
            ports: [{ number: port, name: portName, protocol: "HTTP" }],
            exportTo: VISIBLE_TO_ALL_NAMESPACES,
        }),
        gateway: istioObject(context, "Gateway", {
            selector: context.gatewaySelector,
            servers: [{ port: { number: port, name: portName, protocol: "HTTP" }, hosts: [host] }],
        }),
        destinationRule: gatewaySubsetRule(context),
        virtualService: istioObject(context, "VirtualService", {
            hosts: [host],
            gateways: ["mesh", context.gatewayRef],
            exportTo: VISIBLE_TO_ALL_NAMESPACES,
            http: [
                {
                    name: "mesh-to-egress-gateway",
                    match: [{ gateways: ["mesh"], port }],
                    route: [
                        {
                            destination: { host: context.gatewayHost, subset: context.subset, port: { number: port } },
                        },
                    ],
                },
                {
                    name: "egress-gateway-to-host",
                    match: [{ gateways: [context.gatewayRef], port }],
                    route: [{ destination: { host, port: { number: port } } }],
                },
            ],
        }),
    };
}
