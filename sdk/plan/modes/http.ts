// HTTP (the seed, Istio task "Egress Gateways", "Egress gateway for HTTP traffic"): the app sends HTTP to the host,
// which the egress point routes by its Host header. A wildcard is resolved per request by the egress point itself
// (DYNAMIC_DNS), from the Host header: the waypoint from the host's own ServiceEntry, the sidecar data plane's gateway
// through an alias only it sees.
import { resolvedPerName } from "../../naming/hosts";
import { ModeRecipe } from "./recipe";

export const httpMode: ModeRecipe = {
    resolution: (host) => (resolvedPerName(host) ? "DYNAMIC_DNS" : "DNS"),
    upstream: (host) =>
        resolvedPerName(host) ? { server: host.host, port: host.port, protocol: "HTTP", perName: true } : undefined,
};
