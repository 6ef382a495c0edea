// The names MeshEgress derives from hosts and from the component's name: object names, the aliases it declares under
// its own domain, the SNI of the mutual-TLS hop. They derive from the component name and the host, never from list
// positions, so reordering hosts changes nothing and adding a host only adds its own objects; distinct hosts never
// share a name, for any kind.
import { fitName } from "./fit";

/** The domain of the hosts MeshEgress declares for itself (hop and upstream aliases); refused as a user's host. */
export const INTERNAL_DOMAIN = "mesh-egress.internal";

/** The label of the pods Istio deploys for a Gateway API Gateway (an egress waypoint's among them). */
export const GATEWAY_NAME_LABEL = "gateway.networking.k8s.io/gateway-name";

/** Lower-cases and drops one trailing dot: DNS names are case-insensitive and "a.com." is "a.com". */
export function normalizeHost(host: string): string {
    return host.toLowerCase().replace(/\.$/, "");
}

/**
 * The SNI of a host's Istio-mTLS hop, which the gateway's filter chain for the host matches: the host itself; for a
 * wildcard, a name under it (its upstream when that is under it, else `egress.<domain>`), since the gateway server
 * matches the wildcard.
 */
/** Whether the egress point resolves a host name by name, from each request: a wildcard without one server. */
export function resolvedPerName(host: { host: string; upstreamHost?: string }): boolean {
    return host.host.startsWith("*.") && host.upstreamHost === undefined;
}

export function hopSni(host: { host: string; upstreamHost?: string }): string {
    if (!host.host.startsWith("*.")) return host.host;
    const domain = host.host.slice(2);
    return host.upstreamHost?.endsWith(`.${domain}`) ? host.upstreamHost : `egress.${domain}`;
}

/**
 * A DNS-label form of a host that no other host shares: "." becomes "-" and "-" becomes "--". DNS labels never
 * start or end with "-", so a single "-" can only have been a dot and the mapping is one-to-one; a run of three
 * dashes never occurs. A leading "*." becomes "star---".
 */
export function hostSlug(host: string): string {
    const wildcard = host.startsWith("*.");
    const slug = (wildcard ? host.slice(2) : host).replace(/-/g, "--").replace(/\./g, "-");
    return wildcard ? `star---${slug}` : slug;
}

/**
 * `<prefix>-<slug>`, or `<prefix>-<slug>---<role>` for a host's second object of a kind (e.g. its origination
 * DestinationRule): "---" cannot come from a slug, so no host's name equals another host's role name. Longer than 63
 * characters, it is cut and ends with a hash of the prefix and the host (the role stays at the end).
 */
export function hostObjectName(prefix: string, host: string, role?: string): string {
    return fitName(`${prefix}-${hostSlug(host)}`, undefined, `${prefix}\n${host}`, role ? `---${role}` : "");
}

/**
 * The name under which the egress point alone knows a host's upstream (the server it originates TLS to, or a
 * wildcard's one server): a ServiceEntry host of its own, so that no client sees the upstream's port, and so that it
 * never shares a hostname with another ServiceEntry (Istio silently keeps only one of two ServiceEntries for one host
 * whose visibility differs). A wildcard `perName` alias for a wildcard the egress point resolves name by name.
 */
export function upstreamAlias(prefix: string, host: string, perName = false): string {
    return `${perName ? "*." : ""}${hostObjectName(prefix, host)}.upstream.${INTERNAL_DOMAIN}`;
}

/** The name under which a host's clients address the egress gateway (plan/dataplane/sidecar.ts, "hop alias"). */
export function hopAlias(prefix: string, host: string): string {
    return `${hostObjectName(prefix, host)}.gateway.${INTERNAL_DOMAIN}`;
}

/** A name derived from the component's (or the gateway's) name, shortened with a hash when too long. */
export function derivedName(base: string, suffix: string): string {
    return fitName(`${base}-${suffix}`);
}
