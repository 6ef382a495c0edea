// Gateway ports for hosts that need one of their own. A host's port is derived from the host alone, so it stays put
// when other hosts are added, removed or reordered; only hosts whose derived ports collide are moved, to the next
// free port, in an order that does not depend on the list either.
import { createHash } from "node:crypto";

export const DEDICATED_PORT_RANGE = { from: 20000, to: 32767 } as const;
const RANGE_SIZE = DEDICATED_PORT_RANGE.to - DEDICATED_PORT_RANGE.from + 1;

/** The port a host gets when nothing else claims it first. */
export function derivedPort(host: string): number {
    return DEDICATED_PORT_RANGE.from + (createHash("sha256").update(host).digest().readUInt32BE(0) % RANGE_SIZE);
}

export interface PortRequest {
    host: string;
    /** An explicit port, which always wins. */
    fixed?: number;
}

/**
 * Assigns a unique port to every request, as long as the range has one left (a host without a port is left out). `taken` holds ports already in use (shared gateway ports); fixed ports
 * are assumed valid and unique (validation checks that). Linear probing from the derived port, hosts in order of
 * derived port then name: O(n) for sparse use of the 12,768 ports.
 */
export function allocatePorts(requests: PortRequest[], taken: Iterable<number>): Map<string, number> {
    const used = new Set(taken);
    const ports = new Map<string, number>();
    for (const { host, fixed } of requests) {
        if (fixed !== undefined) {
            ports.set(host, fixed);
            used.add(fixed);
        }
    }
    const derived = requests
        .filter((r) => r.fixed === undefined)
        .map((r) => ({ host: r.host, port: derivedPort(r.host) }))
        .sort((a, b) => a.port - b.port || (a.host < b.host ? -1 : 1));
    for (const { host, port } of derived) {
        let candidate = port;
        for (let probed = 0; used.has(candidate); probed++) {
            // Every port of the range is taken: the host gets none (validation reports it).
            if (probed === RANGE_SIZE) break;
            candidate = candidate === DEDICATED_PORT_RANGE.to ? DEDICATED_PORT_RANGE.from : candidate + 1;
        }
        if (used.has(candidate)) continue;
        ports.set(host, candidate);
        used.add(candidate);
    }
    return ports;
}
