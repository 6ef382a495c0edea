// TLS and mutual TLS origination (Istio task "Egress Gateways with TLS Origination"): the app sends plain HTTP to the
// host's `port`; the egress point opens TLS (or mutual TLS with a client certificate) to the host's `externalPort`. A
// wildcard is resolved per request by the egress point (DYNAMIC_DNS, from the Host header), and each connection's SNI
// and certificate check are the name it connects to (Envoy's automatic SNI and SAN check for a dynamic forward proxy).
import { resolvedPerName } from "../../naming/hosts";
import { ModeRecipe } from "./recipe";

export const originationMode: ModeRecipe = {
    resolution: (host) => (resolvedPerName(host) ? "DYNAMIC_DNS" : "DNS"),
    upstream: (host) => {
        const { mode, sni, credentialName, caCertificates, subjectAltNames } = host.origination!;
        const perName = resolvedPerName(host);
        const tls: Record<string, unknown> = perName ? { mode } : { mode, sni };
        if (credentialName) tls.credentialName = credentialName;
        if (caCertificates) tls.caCertificates = caCertificates;
        if (subjectAltNames) tls.subjectAltNames = subjectAltNames;
        // istiod builds a dynamic forward proxy for HTTP and TLS ports only, not HTTPS: HTTP, with the rule's TLS.
        const protocol = perName ? "HTTP" : "HTTPS";
        return { server: host.host, port: host.externalPort, protocol, tls, ...(perName ? { perName } : {}) };
    },
};
