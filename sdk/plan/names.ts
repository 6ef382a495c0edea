// Object names derive from the component name and the host, never from list positions, so reordering hosts
// changes nothing and adding a host only adds its own objects.
import { createHash } from "node:crypto";

const MAX_NAME = 63;
const HASH_LENGTH = 8;

/**
 * A DNS-label form of a host that no other host shares: "." becomes "-" and "-" becomes "--". DNS labels never
 * start or end with "-", so a single "-" can only have been a dot and the mapping is one-to-one. A leading "*."
 * becomes "star---": a run of three dashes cannot come from a DNS name.
 */
export function hostSlug(host: string): string {
    const wildcard = host.startsWith("*.");
    const slug = (wildcard ? host.slice(2) : host).replace(/-/g, "--").replace(/\./g, "-");
    return wildcard ? `star---${slug}` : slug;
}

function shortHash(text: string): string {
    return createHash("sha256").update(text).digest("hex").slice(0, HASH_LENGTH);
}

/** `<prefix>-<slug><suffix>`, cut to 63 characters with a hash of the host when longer. */
export function hostObjectName(prefix: string, host: string, suffix = ""): string {
    const full = `${prefix}-${hostSlug(host)}${suffix}`;
    if (full.length <= MAX_NAME) return full;
    const kept = full.slice(0, MAX_NAME - HASH_LENGTH - 1 - suffix.length).replace(/-+$/, "");
    return `${kept}-${shortHash(host)}${suffix}`;
}

/** The DestinationRule subset of the gateway host that carries one external host's traffic. */
export function hostSubsetName(host: string): string {
    return hostObjectName("to", host);
}
