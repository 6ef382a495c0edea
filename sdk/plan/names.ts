// Object names derive from the component name and the host, never from list positions, so reordering hosts
// changes nothing and adding a host only adds its own objects. Distinct hosts never share a name, for any kind.
import { fitName } from "../validate/kubernetes";
import { INTERNAL_DOMAIN } from "../validate/names";

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
 * The name under which the gateway alone knows a host's upstream (the server it originates TLS to, or a wildcard's
 * one server): a ServiceEntry host of its own, so that no client sees the upstream's port, and so that it never
 * shares a hostname with another ServiceEntry (Istio silently keeps only one of two ServiceEntries for one host
 * whose visibility differs).
 */
export function upstreamAlias(prefix: string, host: string): string {
    return `${hostObjectName(prefix, host)}.upstream.${INTERNAL_DOMAIN}`;
}

/** The name under which a host's clients address the egress gateway (plan/host.ts, "hop alias"). */
export function hopAlias(prefix: string, host: string): string {
    return `${hostObjectName(prefix, host)}.gateway.${INTERNAL_DOMAIN}`;
}

/** A name derived from the component's (or the gateway's) name, shortened with a hash when too long. */
export function derivedName(base: string, suffix: string): string {
    return fitName(`${base}-${suffix}`);
}
