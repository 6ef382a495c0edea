// Kubernetes object names that fit: every derived name is cut to its kind's limit with a hash that keeps it unique.
// The bottom floor of names, shared by validation (the names it checks) and the plan (the names it gives).
import { createHash } from "node:crypto";

export const MAX_NAME_LENGTH = 63;

const HASH_LENGTH = 8;

/** The first hex digits of SHA-256 of `text`: what a shortened name ends with. */
export function shortHash(text: string): string {
    return createHash("sha256").update(text).digest("hex").slice(0, HASH_LENGTH);
}

/**
 * A derived name cut to `max` characters when longer: the start is kept, and `-<hash of the whole name>` makes it
 * unique again (`suffix`, e.g. "-tls", is kept at the end). Names that fit are returned unchanged.
 */
export function fitName(name: string, max = MAX_NAME_LENGTH, hashOf = name, suffix = ""): string {
    if (name.length + suffix.length <= max) return name + suffix;
    const kept = name.slice(0, max - HASH_LENGTH - 1 - suffix.length).replace(/-+$/, "");
    return `${kept}-${shortHash(hashOf)}${suffix}`;
}
