// TLS passthrough (Istio task "Egress Gateways", "Egress gateway for HTTPS traffic"): the app sends TLS to the host
// and the egress point forwards it without decrypting, routed by SNI. A wildcard with `upstreamHost` (task "Egress
// using Wildcard Hosts", "Wildcard configuration for a single hosting server") is matched by SNI and every name under
// it goes to that one server: nothing resolves the wildcard itself.
import { ModeRecipe } from "./recipe";

export const tlsPassthroughMode: ModeRecipe = {
    resolution: (host) => (host.upstreamHost ? "NONE" : "DNS"),
    upstream: (host) =>
        host.upstreamHost ? { server: host.upstreamHost, port: host.port, protocol: "TLS" } : undefined,
};
