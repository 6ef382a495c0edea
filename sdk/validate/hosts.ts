// The host list: each host valid on its own, no duplicates, no port carrying two protocols, no indistinguishable TCP
// destinations, and every host given its gateway port.
import { EgressMode, GatewayHopTls } from "../args";
import { DEFAULTS } from "../args/defaults";
import { AppProtocol, NormalizedHost, NormalizedOrigination, NormalizedTcp } from "./normalized";
import { DEDICATED_PORT_RANGE, allocatePorts } from "./ports";
import { ORIGINATION_MODES, validateOrigination, validateSources, validateTcp, validateUpstream } from "./hostOptions";
import { hopSni, normalizeHost, resolvedPerName } from "../naming/hosts";
import { routableHostProblem } from "./names";
import { IpRange, ipRange, rangesOverlap } from "./kubernetes";
import { Problems, isPlainObject, show, validatePort } from "./problems";

const HOST_FIELDS = [
    "host",
    "mode",
    "port",
    "externalPort",
    "gatewayPort",
    "tls",
    "upstreamHost",
    "addresses",
    "endpoints",
    "from",
];
const APP_PROTOCOL: Record<EgressMode, AppProtocol> = {
    HTTP: "HTTP",
    TLS_PASSTHROUGH: "TLS",
    TLS_ORIGINATION: "HTTP",
    MUTUAL_TLS_ORIGINATION: "HTTP",
    TCP: "TCP",
};

/** A host as validated, before dedicated gateway ports are allocated. */
interface HostDraft {
    index: number;
    host: string;
    mode: EgressMode;
    port: number;
    appProtocol: AppProtocol;
    externalPort: number;
    dedicatedGatewayPort: boolean;
    fixedGatewayPort?: number;
    origination?: NormalizedOrigination;
    upstreamHost?: string;
    tcp?: NormalizedTcp;
    sources?: NormalizedHost["sources"];
}

/**
 * The validated host, with what its mode requires. A draft without its mode's settings (their validation reported a
 * problem, so the arguments are refused anyway) has none.
 */
function normalized(draft: HostDraft, gatewayPort: number): NormalizedHost | undefined {
    const { index: _index, fixedGatewayPort: _fixed, mode, origination, tcp, ...common } = draft;
    const host = { ...common, gatewayPort };
    if (mode === EgressMode.TlsOrigination || mode === EgressMode.MutualTlsOrigination) {
        return origination && { ...host, mode, origination };
    }
    if (mode === EgressMode.Tcp) return tcp && { ...host, mode, tcp };
    return { ...host, mode };
}

function validateHost(
    problems: Problems,
    entry: unknown,
    index: number,
    hopTls: GatewayHopTls,
    exportTo: string[],
    ambient: boolean,
): HostDraft | undefined {
    const field = `hosts[${index}]`;
    if (!isPlainObject(entry)) {
        problems.add(field, `must be an object with a "host" field, got ${show(entry)}`);
        return undefined;
    }
    problems.unknownKeys(field, entry, HOST_FIELDS);
    const mode = problems.enumValue(`${field}.mode`, entry.mode, EgressMode, DEFAULTS["ExternalHost.mode"]);
    const origination = ORIGINATION_MODES.includes(mode);
    if (mode === EgressMode.Tcp && entry.port === undefined) {
        problems.add(`${field}.port`, "is required for TCP: there is no default port");
    }
    const port = validatePort(problems, `${field}.port`, entry.port, mode === EgressMode.TlsPassthrough ? 443 : 80);
    if (entry.externalPort !== undefined && !origination) {
        problems.add(
            `${field}.externalPort`,
            `${show(entry.externalPort)} applies only to the modes ${ORIGINATION_MODES.join(" and ")}, not ${mode}`,
        );
    }
    const externalPort = origination
        ? validatePort(problems, `${field}.externalPort`, entry.externalPort, 443, { allowReserved: true })
        : port;
    // On the mutual-TLS hop the gateway tells hosts apart by the hop's SNI; on the plain hop a TCP stream has no name,
    // so only its own port identifies it.
    const dedicatedGatewayPort = mode === EgressMode.Tcp && hopTls === GatewayHopTls.Disable;
    let fixedGatewayPort: number | undefined;
    if (entry.gatewayPort !== undefined) {
        if (!dedicatedGatewayPort) {
            problems.add(
                `${field}.gatewayPort`,
                `${show(entry.gatewayPort)} applies only to TCP hosts on the DISABLE hop, the only ones with a ` +
                    "gateway port of their own; every other host arrives on the gateway port equal to its port " +
                    "(on the ISTIO_MUTUAL hop the gateway tells hosts apart by the hop's SNI)",
            );
        } else {
            fixedGatewayPort = validatePort(problems, `${field}.gatewayPort`, entry.gatewayPort, 0);
        }
    }
    const tcp = validateTcp(problems, field, entry, mode);
    if (!problems.known(`${field}.host`, entry.host)) return undefined;
    if (typeof entry.host !== "string") {
        problems.add(
            `${field}.host`,
            entry.host === undefined ? "is required" : `${show(entry.host)} must be a string`,
        );
        return undefined;
    }
    const host = normalizeHost(entry.host);
    const hostError = routableHostProblem(host);
    if (hostError) {
        problems.add(`${field}.host`, `${show(entry.host)} ${hostError}`);
        return undefined;
    }
    const upstreamHost = validateUpstream(problems, field, entry, mode, host, ambient);
    const sources = validateSources(problems, `${field}.from`, entry.from, hopTls, host, exportTo);
    const tls = validateOrigination(problems, field, entry, mode, host);
    if (port === undefined || externalPort === undefined) return undefined;
    if (origination && port === externalPort) {
        problems.add(
            `${field}.externalPort`,
            `${externalPort} equals port: the app's plain HTTP and the gateway's TLS to the host need different ports`,
        );
        return undefined;
    }
    return {
        index,
        host,
        mode,
        port,
        appProtocol: APP_PROTOCOL[mode],
        externalPort,
        dedicatedGatewayPort,
        fixedGatewayPort,
        ...(tls ? { origination: tls } : {}),
        ...(upstreamHost ? { upstreamHost } : {}),
        ...(tcp ? { tcp } : {}),
        ...(sources ? { sources } : {}),
    };
}

/** Per port, the TCP destinations already declared there, with the address ranges each one claims. */
type TcpPortUsers = { draft: HostDraft; ranges: IpRange[] }[];

/**
 * The earliest TCP host on the same port that `draft` cannot be told apart from: one of them has no addresses (it is
 * then known by its port alone), or their address ranges overlap.
 */
function tcpClash(users: TcpPortUsers, draft: HostDraft): HostDraft | undefined {
    const ranges = draft.tcp!.addresses.map((address) => ipRange(address)!);
    const clash = users.find(
        (user) =>
            ranges.length === 0 ||
            user.ranges.length === 0 ||
            ranges.some((range) => user.ranges.some((other) => rangesOverlap(range, other))),
    );
    return clash?.draft;
}

export function validateHosts(
    problems: Problems,
    value: unknown,
    hopTls: GatewayHopTls,
    exportTo: string[],
    ambient: boolean,
): NormalizedHost[] {
    if (!Array.isArray(value)) {
        problems.add("hosts", `must be a list of hosts, got ${show(value)}`);
        return [];
    }
    const drafts: HostDraft[] = [];
    const seen = new Map<string, { index: number; raw: string }>();
    const appPortUsers = new Map<number, HostDraft>();
    const fixedPortUsers = new Map<number, HostDraft>();
    const tcpPortUsers = new Map<number, TcpPortUsers>();
    value.forEach((entry: unknown, index) => {
        const draft = validateHost(problems, entry, index, hopTls, exportTo, ambient);
        if (!draft) return;
        const raw = (entry as { host: string }).host;
        const earlier = seen.get(draft.host);
        if (earlier) {
            problems.add(
                `hosts[${index}].host`,
                `${show(raw)} duplicates hosts[${earlier.index}] (${show(earlier.raw)}); each host may appear once`,
            );
            return;
        }
        seen.set(draft.host, { index, raw });
        const user = appPortUsers.get(draft.port);
        if (user && user.appProtocol !== draft.appProtocol) {
            problems.add(
                `hosts[${index}]`,
                `${show(draft.host)} needs protocol ${draft.appProtocol} on port ${draft.port}, but hosts[${user.index}] ` +
                    `(${show(user.host)}) needs ${user.appProtocol} there; one port carries one protocol`,
            );
            return;
        }
        appPortUsers.set(draft.port, draft);
        if (draft.tcp) {
            const users = tcpPortUsers.get(draft.port) ?? [];
            const clash = tcpClash(users, draft);
            if (clash) {
                problems.add(
                    `hosts[${index}].addresses`,
                    `${show(draft.host)} and hosts[${clash.index}] (${show(clash.host)}) are TCP on port ${draft.port} ` +
                        "without disjoint addresses: sidecars could not tell their traffic apart; give each its own CIDRs",
                );
                return;
            }
            users.push({ draft, ranges: draft.tcp.addresses.map((address) => ipRange(address)!) });
            tcpPortUsers.set(draft.port, users);
        }
        if (draft.fixedGatewayPort !== undefined) {
            const other = fixedPortUsers.get(draft.fixedGatewayPort);
            if (other) {
                problems.add(
                    `hosts[${index}].gatewayPort`,
                    `${draft.fixedGatewayPort} is already the gateway port of hosts[${other.index}] (${show(other.host)})`,
                );
                return;
            }
            fixedPortUsers.set(draft.fixedGatewayPort, draft);
        }
        drafts.push(draft);
    });
    // Ambient hosts reach the waypoint by address over HBONE, not by a hop SNI.
    if (hopTls === GatewayHopTls.IstioMutual && !ambient) refuseSharedHopSni(problems, drafts, value as unknown[]);
    refuseOtherSourcesUnderPerNameWildcards(problems, drafts, value as unknown[]);
    // Hosts without a port of their own listen on their app port, shared by every such host.
    const shared = new Set(drafts.filter((d) => !d.dedicatedGatewayPort).map((d) => d.port));
    for (const draft of fixedPortUsers.values()) {
        if (shared.has(draft.fixedGatewayPort!)) {
            problems.add(
                `hosts[${draft.index}].gatewayPort`,
                `${draft.fixedGatewayPort} is a shared gateway port (the port of other hosts); choose another`,
            );
        }
    }
    const dedicated = allocatePorts(
        drafts.filter((d) => d.dedicatedGatewayPort).map((d) => ({ host: d.host, fixed: d.fixedGatewayPort })),
        shared,
    );
    for (const draft of drafts) {
        if (draft.dedicatedGatewayPort && !dedicated.has(draft.host)) {
            problems.add(
                `hosts[${draft.index}]`,
                `${show(draft.host)} needs a gateway port of its own, but every port of ` +
                    `${DEDICATED_PORT_RANGE.from}-${DEDICATED_PORT_RANGE.to} is taken`,
            );
        }
    }
    return drafts
        .map((draft) => normalized(draft, draft.dedicatedGatewayPort ? dedicated.get(draft.host)! : draft.port))
        .filter((host): host is NormalizedHost => host !== undefined)
        .sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
}

/**
 * A lookup, built once, from a validated host (normalized) to the field of the `rawHosts` entry that declares it and
 * its host as the user wrote it.
 */
export function givenHosts(rawHosts: unknown): (host: string) => { field: string; given: string } {
    const raw = Array.isArray(rawHosts) ? (rawHosts as Record<string, unknown>[]) : [];
    const indexes = new Map<string, number>();
    raw.forEach((h, index) => {
        if (typeof h?.host === "string" && !indexes.has(normalizeHost(h.host)))
            indexes.set(normalizeHost(h.host), index);
    });
    return (host) => {
        const index = indexes.get(host) ?? -1;
        return { field: `hosts[${index}]`, given: index >= 0 ? (raw[index].host as string) : host };
    };
}

const sourcesKey = (sources: HostDraft["sources"]) =>
    sources === undefined ? "*" : JSON.stringify(sources.map((s) => `${s.namespace}/${s.serviceAccount ?? ""}`).sort());

/**
 * A wildcard without one upstream is reached name by name (the gateway or waypoint resolves each), and its `from` rule
 * matches every name under it: a host under it on the same port with other sources would be open to the wildcard's
 * callers anyway, and the wildcard's rule would refuse the host's own.
 */
function refuseOtherSourcesUnderPerNameWildcards(problems: Problems, drafts: HostDraft[], rawHosts: unknown[]): void {
    const raw = (draft: HostDraft) => (rawHosts[draft.index] as { host: string }).host;
    // A TLS_PASSTHROUGH wildcard without upstreamHost is already refused.
    const perName = new Map(
        drafts
            .filter((d) => resolvedPerName(d) && d.mode !== EgressMode.TlsPassthrough)
            .map((d) => [`${d.port} ${d.host}`, d]),
    );
    if (perName.size === 0) return;
    for (const other of drafts) {
        // The wildcards over each of its parent domains (a wildcard's own parents: the wider wildcards).
        const labels = other.host.split(".");
        for (let i = 1; i < labels.length - 1; i++) {
            const wildcard = perName.get(`${other.port} *.${labels.slice(i).join(".")}`);
            if (!wildcard || wildcard === other || sourcesKey(other.sources) === sourcesKey(wildcard.sources)) continue;
            problems.add(
                `hosts[${other.index}].host`,
                `${show(raw(other))} is under the wildcard ${show(raw(wildcard))} (hosts[${wildcard.index}]) on port ` +
                    `${other.port}, whose every name is reached one by one: with other \`from\` sources the ` +
                    "wildcard's callers would reach it anyway, and the wildcard's rule would refuse its own callers; " +
                    "give both the same `from`, or another port",
            );
        }
    }
}

/**
 * On the mutual-TLS hop the gateway tells hosts on one port apart by the hop's SNI, and a wildcard's SNI is a name
 * under it: if that name is another host's, the gateway's exact match wins (the wildcard's traffic goes to the other
 * host) and each host's `from` rules would admit the other's callers.
 */
function refuseSharedHopSni(problems: Problems, drafts: HostDraft[], rawHosts: unknown[]): void {
    const users = new Map<string, HostDraft>();
    for (const draft of [...drafts].sort(
        (a, b) => (a.host.startsWith("*.") ? 1 : 0) - (b.host.startsWith("*.") ? 1 : 0),
    )) {
        const sni = hopSni(draft);
        const key = `${draft.port} ${sni}`;
        const other = users.get(key);
        if (!other) {
            users.set(key, draft);
            continue;
        }
        const wildcard = draft.host.startsWith("*.") ? draft : other;
        const otherHost = show(wildcard === draft ? other.host : draft.host);
        if (resolvedPerName(wildcard)) {
            // A wildcard resolved per name has no upstream to choose: its hop SNI is always egress.<domain>.
            problems.add(
                `hosts[${wildcard.index}].host`,
                `${show((rawHosts[wildcard.index] as { host: string }).host)}: the wildcard would reach the gateway ` +
                    `with the hop SNI ${show(sni)}, which ${otherHost} on port ${draft.port} also uses: the gateway ` +
                    "would send both to one of them; the wildcard already covers that name, so declare it once " +
                    "(or on another port)",
            );
            continue;
        }
        problems.add(
            `hosts[${wildcard.index}].upstreamHost`,
            `${show(wildcard.upstreamHost)}: the wildcard ${show(wildcard.host)} would reach the gateway with the hop SNI ` +
                `${show(sni)}, which ${otherHost} on port ${draft.port} ` +
                "also uses: the gateway would send both to one of them; choose an upstreamHost that no other host " +
                "declares (the hop SNI is the upstreamHost when it is under the wildcard, else egress.<domain>)",
        );
    }
}
