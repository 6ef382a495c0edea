// HTTP (the seed, Istio task "Egress Gateways", "Egress gateway for HTTP traffic"): the app sends HTTP to the host,
// which the egress point routes by its Host header. A wildcard (the ambient data plane's) is resolved per request by
// the egress point itself (DYNAMIC_DNS), from the Host header.
import { ModeRecipe, isWildcard } from "./recipe";

export const httpMode: ModeRecipe = {
    resolution: (host) => (isWildcard(host) ? "DYNAMIC_DNS" : "DNS"),
};
