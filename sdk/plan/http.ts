// Recipe A, plain HTTP (the seed): the app sends HTTP to the host; the sidecar sends it to the egress gateway (in
// Istio mTLS unless the hop is plain), which routes it by Host to the external host. Istio task "Egress Gateways",
// section "Egress gateway for HTTP traffic". The origination recipes reuse it with another upstream: the host's TLS
// port, under an alias only the gateway sees.
import {
    HostContext,
    HostRecipe,
    Upstream,
    gatewayObject,
    hopObjects,
    httpGatewayServer,
    httpRoutes,
    istioObject,
    virtualServices,
    withGateway,
} from "./host";

export function httpRecipe(context: HostContext, upstream?: Upstream): HostRecipe {
    const { host, port } = context.host;
    return {
        serviceEntry: istioObject(context, "ServiceEntry", {
            hosts: [host],
            location: "MESH_EXTERNAL",
            resolution: "DNS",
            ports: [{ number: port, name: `http-${port}`, protocol: "HTTP" }],
            exportTo: withGateway(context),
        }),
        gateway: gatewayObject(context, httpGatewayServer(context)),
        ...hopObjects(context),
        ...virtualServices(context, httpRoutes(context, upstream ?? { host, port }), upstream !== undefined),
    };
}
