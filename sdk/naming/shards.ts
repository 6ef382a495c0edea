// Which waypoint namespace a host's objects go to (gateway.shardNamespaces). Rendezvous hashing: every namespace
// scores the host and the highest score wins, so the choice depends on the host's and the namespaces' names only, not
// on list order, and adding or removing a namespace moves only the hosts that namespace takes or had.
import { createHash } from "node:crypto";

function score(namespace: string, host: string): string {
    return createHash("sha256").update(`${namespace}\n${host}`).digest("hex");
}

/** The namespace of `namespaces` (non-empty) that takes `host`. */
export function shardOf(host: string, namespaces: string[]): string {
    let best = namespaces[0];
    let bestScore = score(best, host);
    for (const namespace of namespaces.slice(1)) {
        const candidate = score(namespace, host);
        if (candidate > bestScore || (candidate === bestScore && namespace < best)) {
            best = namespace;
            bestScore = candidate;
        }
    }
    return best;
}
