// From access-log records to what an audit found: the undeclared destinations the mesh called (who called them, how
// often, when), the declared hosts nobody used, and a host list for MeshEgress that allows exactly what was seen.
// Wildcards are never proposed: a person decides when a family of names deserves one.
import { EgressMode, ExternalHost } from "../args";
import { normalizeHost } from "../naming/hosts";
import { MeshEgressArgsError, validateArgs } from "../validate";
import * as ipaddr from "ipaddr.js";
import { canonicalIp } from "../validate/kubernetes";
import { AccessLogRecord } from "./accessLog";

/** Who made a call: the pod's namespace and service account, when the reader knows them. */
export interface CallSource {
    namespace: string;
    serviceAccount?: string;
}

export type CallProtocol = "HTTP" | "TLS" | "TCP";

/** One undeclared destination: a name (Host or SNI) or an address, on a port, in a protocol. */
export interface Destination {
    destination: string;
    port: number;
    protocol: CallProtocol;
    /** Whether the calls went out (ALLOW_ANY, audit) or were blocked (REGISTRY_ONLY). */
    outcome: "allowed" | "blocked";
    count: number;
    firstSeen: string;
    lastSeen: string;
    sources: CallSource[];
}

export interface LineCounts {
    /** Every line read. */
    read: number;
    /** Lines that are not access-log lines in Istio's formats (skipped). */
    malformed: number;
    /** Access-log lines that are not calls to undeclared hosts (declared traffic, inbound, …). */
    other: number;
}

export interface AuditReport {
    destinations: Destination[];
    /** Declared hosts (from `--declared`) that no line shows being used. */
    declaredUnused: string[];
    /** Hosts for MeshEgress's `hosts`, allowing what was seen and no more; each passes MeshEgress's validation. */
    proposal: ExternalHost[];
    /** Destinations not proposed, and why. */
    notProposed: { destination: string; reason: string }[];
    lines: LineCounts;
    /** Pods whose log could not be read: the report does not cover them. */
    unreadPods: UnreadPod[];
}

/** A pod whose log could not be read (gone, or its proxy not running), and the API server's answer. */
export interface UnreadPod {
    pod: string;
    reason: string;
}

/** A log line's source and record, as a reader hands them over. */
export interface SourcedRecord {
    record: AccessLogRecord;
    source?: CallSource;
}

function splitAddress(address: string): { ip: string; port: number } | undefined {
    const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address);
    return match ? { ip: match[1], port: Number(match[2]) } : undefined;
}

/** An address as Envoy logs it, in canonical form; an IPv4-mapped IPv6 address as the IPv4 address it carries. */
function callAddress(ip: string): string {
    const parsed = ipaddr.isValid(ip) ? ipaddr.parse(ip) : undefined;
    if (parsed?.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
        return (parsed as ipaddr.IPv6).toIPv4Address().toString();
    }
    return canonicalIp(ip) ?? ip;
}

/** A DNS label for an address: dots of IPv4, or the eight groups of IPv6 written out, joined by "-". */
function addressLabel(address: string): string {
    const parsed = ipaddr.parse(address);
    return parsed.kind() === "ipv6"
        ? (parsed as ipaddr.IPv6).toNormalizedString().replace(/:/g, "-")
        : address.replace(/\./g, "-");
}

function hostOf(name: string): string {
    // `api.example.com:8443` → `api.example.com`; an IPv6 literal keeps its brackets off.
    const withoutPort = name.startsWith("[") ? name.slice(1, name.indexOf("]")) : name.replace(/:\d+$/, "");
    return normalizeHost(withoutPort);
}

/** The undeclared call a record shows, or undefined when it shows something else. */
export function undeclaredCall(
    record: AccessLogRecord,
): Omit<Destination, "count" | "firstSeen" | "lastSeen" | "sources"> | undefined {
    const allowed = record.upstreamCluster === "PassthroughCluster";
    // REGISTRY_ONLY: TCP and TLS go to BlackHoleCluster; HTTP gets a 502 from the route block_all, or on a port
    // without Istio's catch-all route none at all (flag NR), with no cluster either way.
    const blocked =
        record.upstreamCluster === "BlackHoleCluster" ||
        (record.upstreamCluster === "" &&
            (record.routeName === "block_all" || record.responseFlags.split(",").includes("NR")));
    if (!allowed && !blocked) return undefined;
    const target = splitAddress(record.downstreamLocalAddress);
    if (!target) return undefined;
    const http = record.protocol.startsWith("HTTP");
    const protocol: CallProtocol = http ? "HTTP" : record.requestedServerName ? "TLS" : "TCP";
    const name = http ? record.authority : record.requestedServerName;
    const destination = name ? hostOf(name) : callAddress(target.ip);
    return { destination, port: target.port, protocol, outcome: allowed ? "allowed" : "blocked" };
}

/** The declared host a record shows being used, e.g. at the gateway (`outbound|443||api.example.com`). */
function usedHost(record: AccessLogRecord): string[] {
    const cluster = /^outbound\|\d+\|[^|]*\|(.+)$/.exec(record.upstreamCluster)?.[1];
    return [cluster, record.authority && hostOf(record.authority), record.requestedServerName]
        .filter((name): name is string => Boolean(name))
        .map((name) => name.toLowerCase());
}

function matches(declared: string, used: string): boolean {
    return declared.startsWith("*.") ? used.endsWith(declared.slice(1)) : declared === used;
}

function sourceKey(source: CallSource): string {
    return `${source.namespace}/${source.serviceAccount ?? ""}`;
}

/** The host entry that allows exactly what `destination` saw. */
function proposeHost(destination: Destination): ExternalHost {
    const from = destination.sources.map(({ namespace, serviceAccount }) =>
        serviceAccount ? { namespace, serviceAccount } : { namespace },
    );
    const address = canonicalIp(destination.destination);
    const entry: ExternalHost = address
        ? {
              // A bare address has no name to declare it by: the entry names it after the address, for you to rename.
              host: `${addressLabel(address)}.tcp.invalid`,
              mode: EgressMode.Tcp,
              port: destination.port,
              addresses: [address],
              endpoints: [address],
          }
        : destination.protocol === "HTTP"
          ? { host: destination.destination, ...(destination.port !== 80 ? { port: destination.port } : {}) }
          : destination.protocol === "TLS"
            ? {
                  host: destination.destination,
                  mode: EgressMode.TlsPassthrough,
                  ...(destination.port !== 443 ? { port: destination.port } : {}),
              }
            : { host: destination.destination, mode: EgressMode.Tcp, port: destination.port };
    if (from.length > 0) entry.from = from;
    return entry;
}

/** Why MeshEgress would refuse `hosts` together, or undefined when it accepts them. */
function problemsWith(hosts: ExternalHost[]): string | undefined {
    try {
        validateArgs("discovered", { hosts });
        return undefined;
    } catch (error) {
        if (error instanceof MeshEgressArgsError) return error.problems.join("; ");
        throw error;
    }
}

/**
 * One entry per destination name: its most-called port and protocol, allowing every source seen calling it there;
 * what else the name was seen on is listed as not proposed (MeshEgress declares one port per host).
 */
function propose(destinations: Destination[], declared: string[]): Pick<AuditReport, "proposal" | "notProposed"> {
    const proposal: ExternalHost[] = [];
    const notProposed: AuditReport["notProposed"] = [];
    const byName = new Map<string, Destination[]>();
    for (const destination of destinations) {
        byName.set(destination.destination, [...(byName.get(destination.destination) ?? []), destination]);
    }
    for (const [name, seen] of byName) {
        const ways = new Map<string, Destination>();
        for (const destination of seen) {
            const way = `${destination.port} ${destination.protocol}`;
            const merged = ways.get(way);
            if (!merged) ways.set(way, { ...destination, sources: [...destination.sources] });
            else {
                merged.count += destination.count;
                for (const source of destination.sources) {
                    if (!merged.sources.some((s) => sourceKey(s) === sourceKey(source))) merged.sources.push(source);
                }
            }
        }
        const [primary, ...others] = [...ways.values()].sort((a, b) => b.count - a.count || a.port - b.port);
        primary.sources.sort((a, b) => sourceKey(a).localeCompare(sourceKey(b)));
        if (primary.protocol !== "TCP" && canonicalIp(name)) {
            // An address as Host or SNI says nothing about which server the name stands for: declare it by name.
            notProposed.push({
                destination: `${name}:${primary.port}`,
                reason: `${primary.protocol} to an address; MeshEgress declares hosts by name (or as TCP with addresses)`,
            });
            continue;
        }
        if (name.includes("*")) {
            // A client sent "*" in its Host or SNI: not a name it reached, and MeshEgress would take it as a wildcard.
            notProposed.push({
                destination: `${name}:${primary.port}`,
                reason: 'a "*" in a Host header or SNI names no server; wildcards are declared by a person',
            });
            continue;
        }
        for (const other of others) {
            notProposed.push({
                destination: `${name}:${other.port}`,
                reason: `also seen as ${other.protocol} on port ${other.port}; MeshEgress declares one port per host`,
            });
        }
        if (declared.some((declaredName) => matches(normalizeHost(declaredName), name))) {
            notProposed.push({ destination: `${name}:${primary.port}`, reason: "already declared" });
            continue;
        }
        // Each entry must be accepted with the ones before it (two hosts on one port must agree on its protocol).
        const proposed = proposeHost(primary);
        const problems = problemsWith([...proposal, proposed]);
        if (problems) notProposed.push({ destination: `${name}:${primary.port}`, reason: problems });
        else proposal.push(proposed);
    }
    return { proposal, notProposed };
}

/** Aggregates the records into the audit's findings. `declared` are the host names MeshEgress declares today. */
export function auditReport(
    records: Iterable<SourcedRecord>,
    lines: LineCounts,
    declared: string[] = [],
    unreadPods: UnreadPod[] = [],
): AuditReport {
    const byKey = new Map<string, Destination & { sourceKeys: Set<string> }>();
    const used = new Set<string>();
    for (const { record, source } of records) {
        for (const name of usedHost(record)) used.add(name);
        const call = undeclaredCall(record);
        if (!call) {
            lines.other++;
            continue;
        }
        const key = `${call.destination} ${call.port} ${call.protocol} ${call.outcome}`;
        let entry = byKey.get(key);
        if (!entry) {
            const first = record.startTime;
            entry = { ...call, count: 0, firstSeen: first, lastSeen: first, sources: [], sourceKeys: new Set() };
            byKey.set(key, entry);
        }
        entry.count++;
        if (record.startTime < entry.firstSeen) entry.firstSeen = record.startTime;
        if (record.startTime > entry.lastSeen) entry.lastSeen = record.startTime;
        if (source && !entry.sourceKeys.has(sourceKey(source))) {
            entry.sourceKeys.add(sourceKey(source));
            entry.sources.push(source);
        }
    }
    const destinations = [...byKey.values()]
        .map(({ sourceKeys: _keys, ...destination }) => ({
            ...destination,
            sources: destination.sources.sort((a, b) => sourceKey(a).localeCompare(sourceKey(b))),
        }))
        .sort((a, b) => b.count - a.count || a.destination.localeCompare(b.destination) || a.port - b.port);

    const { proposal, notProposed } = propose(destinations, declared);
    const declaredUnused = declared
        .map(normalizeHost)
        .filter((name) => ![...used].some((seen) => matches(name, seen)))
        .sort();
    return { destinations, declaredUnused, proposal, notProposed, lines, unreadPods };
}
