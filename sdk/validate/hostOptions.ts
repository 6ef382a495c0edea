// Per-host options that only some modes take: TLS origination, wildcard upstreams, TCP addresses, source rules.
import { EgressMode, GatewayHopTls } from "../args";
import { NormalizedHost } from "./normalized";
import { canonicalIp, ipRange } from "./kubernetes";
import { normalizeHost } from "../naming/hosts";
import { hostProblem } from "./names";
import { Problems, show } from "./problems";

/** The OS CA bundle in Istio's proxy image. */
export const SYSTEM_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";
export const ORIGINATION_MODES: readonly EgressMode[] = [EgressMode.TlsOrigination, EgressMode.MutualTlsOrigination];
export function validateOrigination(
    problems: Problems,
    field: string,
    entry: Record<string, unknown>,
    mode: EgressMode,
    host: string,
): NormalizedHost["origination"] {
    const tls = problems.object(`${field}.tls`, entry.tls);
    if (!ORIGINATION_MODES.includes(mode)) {
        if (tls) {
            problems.add(
                `${field}.tls`,
                `${show(tls)} applies only to the modes ${ORIGINATION_MODES.join(" and ")}, not ${mode}`,
            );
        }
        return undefined;
    }
    const options = tls ?? {};
    problems.unknownKeys(`${field}.tls`, options, ["credentialName", "caCertificates", "subjectAltNames", "sni"]);
    const credentialName = problems.subdomain(`${field}.tls.credentialName`, options.credentialName, "Secret name");
    const caCertificates = options.caCertificates;
    if (caCertificates !== undefined && (typeof caCertificates !== "string" || !caCertificates.startsWith("/"))) {
        problems.add(
            `${field}.tls.caCertificates`,
            `${show(caCertificates)} must be an absolute path in the gateway pods`,
        );
    }
    if (options.credentialName !== undefined && caCertificates !== undefined) {
        problems.add(
            `${field}.tls`,
            "credentialName and caCertificates are mutually exclusive: the Secret's ca.crt is the CA",
        );
    }
    const sans = options.subjectAltNames;
    if (sans !== undefined && (!Array.isArray(sans) || sans.some((n) => typeof n !== "string" || n.length === 0))) {
        problems.add(`${field}.tls.subjectAltNames`, `${show(sans)} must be a list of non-empty names`);
    }
    const sni = options.sni;
    if (sni !== undefined && host.startsWith("*.")) {
        problems.add(
            `${field}.tls.sni`,
            `${show(sni)} cannot be set for the wildcard ${show(host)}: the gateway sends each name it connects to as ` +
                "that connection's SNI, and checks the server's certificate for that name",
        );
    } else if (sni !== undefined && (typeof sni !== "string" || hostProblem(sni) !== undefined)) {
        problems.add(`${field}.tls.sni`, `${show(sni)} is not a DNS name`);
    }
    if (mode === EgressMode.MutualTlsOrigination && options.credentialName === undefined) {
        problems.add(
            `${field}.tls.credentialName`,
            "is required for MUTUAL_TLS_ORIGINATION: name the Secret (tls.crt, tls.key, ca.crt) in the gateway namespace",
        );
    }
    const origination: NormalizedHost["origination"] = {
        mode: mode === EgressMode.MutualTlsOrigination ? "MUTUAL" : "SIMPLE",
        sni: typeof sni === "string" ? sni : host,
    };
    if (typeof credentialName === "string") origination.credentialName = credentialName;
    if (typeof caCertificates === "string") origination.caCertificates = caCertificates;
    // Verify the host by default, explicitly against the proxy image's system roots (IST0128/IST0129).
    else if (typeof credentialName !== "string") origination.caCertificates = SYSTEM_CA_BUNDLE;
    if (Array.isArray(sans)) origination.subjectAltNames = sans as string[];
    return origination;
}

/** Who may reach a host: identities the gateway can only see through the hop's Istio mutual TLS. */
export function validateSources(
    problems: Problems,
    field: string,
    value: unknown,
    hopTls: GatewayHopTls,
    host: string,
    exportTo: string[],
): NormalizedHost["sources"] {
    if (value === undefined || !problems.known(field, value)) return undefined;
    if (!Array.isArray(value) || value.length === 0) {
        problems.add(
            field,
            `${show(value)} must be a non-empty list of { namespace, serviceAccount? }; omit it to allow every workload`,
        );
        return undefined;
    }
    if (hopTls !== GatewayHopTls.IstioMutual) {
        problems.add(
            field,
            "needs gatewayHopTls ISTIO_MUTUAL: the gateway learns who is calling only from the hop's mutual TLS",
        );
    }
    const sources: { namespace: string; serviceAccount?: string }[] = [];
    const seen = new Map<string, number>();
    value.forEach((entry: unknown, i) => {
        const source = problems.object(`${field}[${i}]`, entry);
        if (!source) return;
        problems.unknownKeys(`${field}[${i}]`, source, ["namespace", "serviceAccount"]);
        if (source.namespace === undefined) problems.add(`${field}[${i}].namespace`, "is required");
        const namespace = problems.dnsLabel(`${field}[${i}].namespace`, source.namespace, "");
        const serviceAccount = problems.subdomain(
            `${field}[${i}].serviceAccount`,
            source.serviceAccount,
            "ServiceAccount name",
        );
        // An allowed source must see the host: a namespace outside exportTo would be blocked, not allowed.
        if (namespace !== "" && !exportTo.includes("*") && !exportTo.includes(namespace)) {
            problems.add(
                `${field}[${i}].namespace`,
                `${show(namespace)} may reach ${show(host)} but cannot see it: exportTo is ${show(exportTo)}; add ` +
                    "the namespace there",
            );
        }
        const identity = `${namespace}/${serviceAccount ?? "*"}`;
        const first = seen.get(identity);
        if (first !== undefined) {
            problems.add(`${field}[${i}]`, `${show(entry)} duplicates ${field}[${first}]`);
            return;
        }
        seen.set(identity, i);
        sources.push(typeof serviceAccount === "string" ? { namespace, serviceAccount } : { namespace });
    });
    return sources;
}

/** A wildcard is routed by SNI to the one server that serves it; a concrete host needs no upstream. */
export function validateUpstream(
    problems: Problems,
    field: string,
    entry: Record<string, unknown>,
    mode: EgressMode,
    host: string,
    ambient: boolean,
): string | undefined {
    const upstream = entry.upstreamHost;
    if (!host.startsWith("*.")) {
        if (upstream !== undefined) {
            problems.add(`${field}.upstreamHost`, `${show(upstream)} applies only to wildcard hosts (*.example.com)`);
        }
        return undefined;
    }
    if (ambient) return validateAmbientWildcard(problems, field, upstream, mode, host);
    if (mode === EgressMode.Tcp) {
        problems.add(
            `${field}.mode`,
            `TCP cannot route the wildcard ${show(host)}: a TCP stream carries no name; use HTTP (each name resolved ` +
                "at the gateway) or TLS_PASSTHROUGH with upstreamHost",
        );
        return undefined;
    }
    if (mode !== EgressMode.TlsPassthrough) {
        // HTTP and origination: the gateway resolves each name from the request's Host, and connects to the Host's
        // port, else 80 (443 when it originates TLS); origination therefore takes the Host without a port.
        if (ORIGINATION_MODES.includes(mode)) refuseOriginationWildcardPorts(problems, field, entry, host);
        if (upstream !== undefined) {
            problems.add(
                `${field}.upstreamHost`,
                `${show(upstream)} applies only to TLS_PASSTHROUGH wildcards: under ${mode} the gateway resolves each ` +
                    `name under ${show(host)} from the request's Host header and connects to that name itself`,
            );
        }
        return undefined;
    }
    if (upstream === undefined) {
        problems.add(
            `${field}.upstreamHost`,
            `is required for the TLS wildcard ${show(host)}: the gateway cannot resolve the names under it (on the ` +
                "ISTIO_MUTUAL hop it sees only the hop's SNI, and istiod gives its SNI dynamic forward proxy to " +
                "sidecars only), so name the one server that serves them all, or use HTTP or TLS_ORIGINATION, " +
                "whose names the gateway resolves one by one",
        );
        return undefined;
    }
    const problem = typeof upstream === "string" ? hostProblem(normalizeHost(upstream)) : "must be a string";
    if (problem) {
        problems.add(`${field}.upstreamHost`, `${show(upstream)} ${problem}`);
        return undefined;
    }
    return normalizeHost(upstream as string);
}

function refuseOriginationWildcardPorts(
    problems: Problems,
    field: string,
    entry: Record<string, unknown>,
    host: string,
): void {
    if (entry.port !== undefined && entry.port !== 80) {
        problems.add(
            `${field}.port`,
            `${show(entry.port)} cannot be used for the origination wildcard ${show(host)}: the gateway connects to ` +
                "each name on TLS's port 443 only for a Host that names no port, as an HTTP client sends it only " +
                "for port 80; use 80",
        );
    }
    if (entry.externalPort !== undefined && entry.externalPort !== 443) {
        problems.add(
            `${field}.externalPort`,
            `${show(entry.externalPort)} cannot be used for the origination wildcard ${show(host)}: the gateway's ` +
                "dynamic forward proxy connects to each name on TLS's port 443",
        );
    }
}

/**
 * Under the ambient data plane the waypoint resolves each name under an HTTP wildcard itself, from the request's Host
 * (`resolution: DYNAMIC_DNS`), so the wildcard names no upstream. For TLS istiod does the same only behind an
 * experimental flag, off by default, which Istio says is open to SNI spoofing.
 */
function validateAmbientWildcard(
    problems: Problems,
    field: string,
    upstream: unknown,
    mode: EgressMode,
    host: string,
): undefined {
    if (mode !== EgressMode.Http) {
        problems.add(
            `${field}.mode`,
            `${show(mode)} cannot route the wildcard ${show(host)} through a waypoint: istiod builds a waypoint route for ` +
                "a wildcard only for HTTP (for TLS only behind its experimental ENABLE_WILDCARD_HOST_SERVICE_ENTRIES_FOR_TLS, " +
                "off by default and open to SNI spoofing); use HTTP, or declare the names you call",
        );
    }
    if (upstream !== undefined) {
        problems.add(
            `${field}.upstreamHost`,
            `${show(upstream)} cannot be used with dataplane "AMBIENT": the waypoint sends each name under the ` +
                `wildcard ${show(host)} to that name (DYNAMIC_DNS), not to one upstream`,
        );
    }
    return undefined;
}

/** Addresses (CIDRs, canonical) and static endpoints (IPs, canonical) of a TCP destination. */
export function validateTcp(
    problems: Problems,
    field: string,
    entry: Record<string, unknown>,
    mode: EgressMode,
): NormalizedHost["tcp"] {
    const lists = { addresses: entry.addresses, endpoints: entry.endpoints };
    if (mode !== EgressMode.Tcp) {
        for (const [name, value] of Object.entries(lists)) {
            if (value !== undefined)
                problems.add(`${field}.${name}`, `${show(value)} applies only to TCP, not ${mode}`);
        }
        return undefined;
    }
    const checked: Record<string, string[]> = { addresses: [], endpoints: [] };
    for (const [name, value] of Object.entries(lists)) {
        if (value === undefined || !problems.known(`${field}.${name}`, value)) continue;
        if (!Array.isArray(value) || value.length === 0) {
            problems.add(`${field}.${name}`, `${show(value)} must be a non-empty list`);
            continue;
        }
        const seen = new Map<string, number>();
        value.forEach((item: unknown, i) => {
            const canonical = typeof item === "string" ? canonicalAddress(item, name === "addresses") : undefined;
            if (canonical === undefined) {
                const what = name === "addresses" ? "an IP address or CIDR" : "an IP address";
                problems.add(`${field}.${name}[${i}]`, `${show(item)} is not ${what}`);
                return;
            }
            const first = seen.get(canonical);
            if (first !== undefined) {
                problems.add(`${field}.${name}[${i}]`, `${show(item)} duplicates ${field}.${name}[${first}]`);
                return;
            }
            seen.set(canonical, i);
            checked[name].push(canonical);
        });
    }
    const ranges = checked.addresses.filter((address) => address.includes("/"));
    if (ranges.length > 0 && checked.endpoints.length === 0 && lists.endpoints === undefined) {
        problems.add(
            `${field}.endpoints`,
            `are required with the CIDRs ${show(ranges)}: Istio takes CIDR addresses only with STATIC resolution ` +
                "(the gateway must be told where to connect; it never sees the address the app dialled)",
        );
    }
    return { addresses: checked.addresses, endpoints: checked.endpoints };
}

/** An address as Istio and Kubernetes print it: a CIDR with host bits cleared, a single address without prefix. */
function canonicalAddress(value: string, allowPrefix: boolean): string | undefined {
    if (!allowPrefix) return canonicalIp(value);
    const range = ipRange(value);
    if (!range) return undefined;
    const width = range.family === "ipv4" ? 32 : 128;
    return range.bits === width ? range.network.toString() : range.cidr;
}
