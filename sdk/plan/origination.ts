// Recipes C and E, TLS origination at the gateway: the app sends plain HTTP to the host's `port`; the gateway
// opens TLS (or mutual TLS with a client certificate) to the host's `externalPort`. Istio task "Egress Gateways with
// TLS Origination", sections "Perform TLS origination with an egress gateway" and "Perform mutual TLS origination
// with an egress gateway".
import {
    HostContext,
    HostRecipe,
    gatewaySubsetRule,
    httpGatewayServer,
    httpRoutes,
    istioObject,
} from "./host";
import { hostObjectName } from "./names";

export function originationRecipe(context: HostContext, componentName: string): HostRecipe {
    const { host, port, externalPort, origination } = context.host;
    const { mode, sni, credentialName, caCertificates, subjectAltNames } = origination!;
    const tls: Record<string, unknown> = { mode, sni };
    if (credentialName) tls.credentialName = credentialName;
    if (caCertificates) tls.caCertificates = caCertificates;
    if (subjectAltNames) tls.subjectAltNames = subjectAltNames;
    return {
        serviceEntry: istioObject(context, "ServiceEntry", {
            hosts: [host],
            location: "MESH_EXTERNAL",
            resolution: "DNS",
            ports: [
                { number: port, name: `http-${port}`, protocol: "HTTP" },
                { number: externalPort, name: `https-${externalPort}`, protocol: "HTTPS" },
            ],
            exportTo: context.exportTo,
        }),
        gateway: istioObject(context, "Gateway", {
            selector: context.gatewaySelector,
            servers: [httpGatewayServer(context)],
        }),
        destinationRule: gatewaySubsetRule(context),
        virtualService: istioObject(context, "VirtualService", {
            hosts: [host],
            gateways: ["mesh", context.gatewayRef],
            exportTo: context.exportTo,
            http: httpRoutes(context, externalPort),
        }),
        // Only the gateway originates TLS to the host, so only its namespace needs this rule.
        originationRule: istioObject(
            context,
            "DestinationRule",
            { host, exportTo: ["."], trafficPolicy: { portLevelSettings: [{ port: { number: externalPort }, tls }] } },
            hostObjectName(componentName, host, "-tls"),
        ),
    };
}
