// TLS and mutual TLS origination (Istio task "Egress Gateways with TLS Origination"): the app sends plain HTTP to the
// host's `port`; the egress point opens TLS (or mutual TLS with a client certificate) to the host's `externalPort`.
import { ModeRecipe } from "./recipe";

export const originationMode: ModeRecipe = {
    resolution: () => "DNS",
    upstream: (host) => {
        const { mode, sni, credentialName, caCertificates, subjectAltNames } = host.origination!;
        const tls: Record<string, unknown> = { mode, sni };
        if (credentialName) tls.credentialName = credentialName;
        if (caCertificates) tls.caCertificates = caCertificates;
        if (subjectAltNames) tls.subjectAltNames = subjectAltNames;
        return { server: host.host, port: host.externalPort, protocol: "HTTPS", tls };
    },
};
