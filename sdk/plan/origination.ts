// Recipes C and E, TLS origination at the gateway: the app sends plain HTTP to the host's `port`; the gateway opens
// TLS (or mutual TLS with a client certificate) to the host's `externalPort`. Istio task "Egress Gateways with TLS
// Origination", sections "Perform TLS origination with an egress gateway" and "Perform mutual TLS origination with an
// egress gateway". The routing is recipe A's, aimed at the host's TLS port; one more rule makes the gateway
// originate TLS there.
//
// Unlike Istio's recipe, the host's TLS port is not declared in the ServiceEntry that clients see: there a client
// calling https://<host> itself would reach the host directly, around the gateway. Only the gateway's namespace
// sees it, under an alias host (upstreamAlias) whose one endpoint is the host.
import { HostContext, HostRecipe, istioObject } from "./host";
import { httpRecipe } from "./http";
import { hostObjectName, upstreamAlias } from "./names";

export function originationRecipe(context: HostContext, componentName: string): HostRecipe {
    const { host, externalPort, origination } = context.host;
    const { mode, sni, credentialName, caCertificates, subjectAltNames } = origination!;
    const alias = upstreamAlias(componentName, host);
    const tls: Record<string, unknown> = { mode, sni };
    if (credentialName) tls.credentialName = credentialName;
    if (caCertificates) tls.caCertificates = caCertificates;
    if (subjectAltNames) tls.subjectAltNames = subjectAltNames;
    return {
        ...httpRecipe(context, { host: alias, port: externalPort }),
        upstreamServiceEntry: istioObject(
            context,
            "ServiceEntry",
            {
                hosts: [alias],
                location: "MESH_EXTERNAL",
                resolution: "DNS",
                endpoints: [{ address: host }],
                ports: [{ number: externalPort, name: `https-${externalPort}`, protocol: "HTTPS" }],
                exportTo: ["."],
            },
            hostObjectName(componentName, host, "upstream"),
        ),
        // Only the gateway originates TLS to the host, so only its namespace needs this rule.
        originationRule: istioObject(
            context,
            "DestinationRule",
            {
                host: alias,
                exportTo: ["."],
                trafficPolicy: { portLevelSettings: [{ port: { number: externalPort }, tls }] },
            },
            hostObjectName(componentName, host, "tls"),
        ),
    };
}
