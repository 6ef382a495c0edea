// Recipe G, TCP and CIDR destinations: the app opens a TCP connection; sidecars recognise the destination by port
// (and by the ServiceEntry's `addresses`, when given) and send it to the gateway: in Istio mTLS whose SNI names the
// host (hosts share their app port on the gateway), or, on the plain hop, on a gateway port of the host's own, where
// a `tcp` route forwards it to the host's endpoints or DNS name. Istio blog "Consuming External MongoDB Services" and
// the ServiceEntry reference (addresses, STATIC endpoints). `resolution: NONE` is never used: through a gateway it
// would make the gateway forward to its own address.
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

export function tcpRecipe(context: HostContext): HostRecipe {
    const { host, port, gatewayPort, tcp } = context.host;
    const { addresses, endpoints } = tcp!;
    const serviceEntry: Record<string, unknown> = {
        hosts: [host],
        location: "MESH_EXTERNAL",
        resolution: endpoints.length > 0 ? "STATIC" : "DNS",
        ports: [{ number: port, name: `tcp-${port}`, protocol: "TCP" }],
        exportTo: withGateway(context),
    };
    if (addresses.length > 0) serviceEntry.addresses = addresses;
    if (endpoints.length > 0) serviceEntry.endpoints = endpoints.map((address) => ({ address }));
    return {
        serviceEntry: istioObject(context, "ServiceEntry", serviceEntry),
        gateway: gatewayObject(
            context,
            mutualHop(context)
                ? {
                      port: { number: gatewayPort, name: `tls-${gatewayPort}`, protocol: "TLS" },
                      tls: { mode: "ISTIO_MUTUAL" },
                  }
                : { port: { number: gatewayPort, name: `tcp-${gatewayPort}`, protocol: "TCP" } },
        ),
        ...hopObjects(context),
        ...virtualServices(
            context,
            {
                // The ServiceEntry's addresses already bind the sidecar's listener to the CIDRs.
                mesh: { tcp: [{ match: [{ gateways: ["mesh"], port }], route: toGateway(context) }] },
                gateway: {
                    tcp: [
                        {
                            match: [{ gateways: [context.gatewayRef], port: gatewayPort }],
                            route: [{ destination: { host, port: { number: port } } }],
                        },
                    ],
                },
            },
            false,
        ),
    };
}
