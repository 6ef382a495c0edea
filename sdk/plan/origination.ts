// Recipes C and E, TLS origination at the gateway: the app sends plain HTTP to the host's `port`; the gateway opens
// TLS (or mutual TLS with a client certificate) to the host's `externalPort`. Istio task "Egress Gateways with TLS
// Origination", sections "Perform TLS origination with an egress gateway" and "Perform mutual TLS origination with an
// egress gateway". The routing is recipe A's, aimed at the host's TLS port; one more rule makes the gateway
// originate TLS there.
import { HostContext, HostRecipe, istioObject } from "./host";
import { httpRecipe } from "./http";
import { hostObjectName } from "./names";

export function originationRecipe(context: HostContext, componentName: string): HostRecipe {
    const { host, externalPort, origination } = context.host;
    const { mode, sni, credentialName, caCertificates, subjectAltNames } = origination!;
    const tls: Record<string, unknown> = { mode, sni };
    if (credentialName) tls.credentialName = credentialName;
    if (caCertificates) tls.caCertificates = caCertificates;
    if (subjectAltNames) tls.subjectAltNames = subjectAltNames;
    return {
        ...httpRecipe(context, externalPort),
        // Only the gateway originates TLS to the host, so only its namespace needs this rule.
        originationRule: istioObject(
            context,
            "DestinationRule",
            { host, exportTo: ["."], trafficPolicy: { portLevelSettings: [{ port: { number: externalPort }, tls }] } },
            hostObjectName(componentName, host, "tls"),
        ),
    };
}
