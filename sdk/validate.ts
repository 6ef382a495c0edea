// Turns MeshEgressArgs into NormalizedArgs, or throws one error listing every problem, each naming the field and
// the offending value. Runs before the component registers any child.
import { isIP } from "node:net";
import {
    EgressMode,
    GatewayHopTls,
    MeshEgressArgs,
    OutboundPolicyTarget,
    OutboundTrafficPolicyMode,
} from "./args";
import { AppProtocol, GatewayWorkload, NormalizedArgs, NormalizedGateway, NormalizedHost } from "./normalized";
import { allocatePorts } from "./ports";

/** Thrown when MeshEgress arguments are invalid; `problems` lists one line per offending field. */
export class MeshEgressArgsError extends Error {
    constructor(
        componentName: string,
        public readonly problems: string[],
    ) {
        super(`MeshEgress "${componentName}" has invalid arguments:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "MeshEgressArgsError";
    }
}

const MAX_COMPONENT_NAME = 40;
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?)?$/;
const ISTIO_RESERVED_PORTS = { from: 15000, to: 15090 };

/** JSON-ish rendering of a user value for messages. */
export function show(value: unknown): string {
    if (typeof value === "string") return JSON.stringify(value);
    if (value === undefined) return "undefined";
    try {
        return JSON.stringify(value) ?? String(value);
    } catch {
        return String(value);
    }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Collects problems while walking the arguments. */
class Problems {
    readonly list: string[] = [];
    add(field: string, message: string): void {
        this.list.push(`${field}: ${message}`);
    }
    unknownKeys(field: string, value: Record<string, unknown>, known: readonly string[]): void {
        for (const key of Object.keys(value)) {
            if (!known.includes(key) && value[key] !== undefined) {
                this.add(`${field}.${key}`, `is not a known field (known: ${known.join(", ")})`);
            }
        }
    }
    object(field: string, value: unknown): Record<string, unknown> | undefined {
        if (value === undefined) return undefined;
        if (isPlainObject(value)) return value;
        this.add(field, `must be an object, got ${show(value)}`);
        return undefined;
    }
    enumValue<T extends string>(field: string, value: unknown, allowed: Record<string, T>, fallback: T): T {
        if (value === undefined) return fallback;
        const values = Object.values(allowed);
        if (values.includes(value as T)) return value as T;
        this.add(field, `${show(value)} is not one of ${values.join(", ")}`);
        return fallback;
    }
    dnsLabel(field: string, value: unknown, fallback: string, maxLength = 63): string {
        if (value === undefined) return fallback;
        if (typeof value !== "string" || !DNS_LABEL.test(value) || value.length > maxLength) {
            this.add(
                field,
                `${show(value)} is not a valid Kubernetes name (lower-case letters, digits and "-", ` +
                    `starting and ending with a letter or digit, at most ${maxLength} characters)`,
            );
            return fallback;
        }
        return value;
    }
    /** A plain integer within bounds; Outputs are accepted unchecked. */
    integer(field: string, value: unknown, min: number, max: number): void {
        if (value === undefined || (typeof value === "object" && value !== null)) return;
        if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
            this.add(field, `${show(value)} must be an integer from ${min} to ${max}`);
        }
    }
    plainInteger(field: string, value: unknown, min: number, max: number, fallback: number): number {
        if (value === undefined) return fallback;
        if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
            this.add(field, `${show(value)} must be an integer from ${min} to ${max}`);
            return fallback;
        }
        return value;
    }
    boolean(field: string, value: unknown, fallback: boolean): boolean {
        if (value === undefined) return fallback;
        if (typeof value === "boolean") return value;
        this.add(field, `${show(value)} must be true or false`);
        return fallback;
    }
    annotations(field: string, value: unknown): Record<string, string> {
        const annotations = this.object(field, value) ?? {};
        for (const [key, annotationValue] of Object.entries(annotations)) {
            if (!isLabelKey(key)) this.add(`${field}[${show(key)}]`, `${show(key)} is not a valid annotation key`);
            if (typeof annotationValue !== "string") {
                this.add(`${field}[${show(key)}]`, `${show(annotationValue)} must be a string`);
            }
        }
        return annotations as Record<string, string>;
    }
    /** An optional list of namespace names; [] when absent. */
    namespaces(field: string, value: unknown): string[] {
        if (value === undefined) return [];
        if (!Array.isArray(value)) {
            this.add(field, `${show(value)} must be a list of namespaces`);
            return [];
        }
        return value.filter((namespace, i) => this.dnsLabel(`${field}[${i}]`, namespace, "") !== "");
    }
    labels(field: string, value: unknown): Record<string, string> | undefined {
        const labels = this.object(field, value);
        if (!labels) return undefined;
        if (Object.keys(labels).length === 0) {
            this.add(field, "must not be empty: the gateway pods are selected by these labels");
            return undefined;
        }
        for (const [key, labelValue] of Object.entries(labels)) {
            if (!isLabelKey(key)) this.add(`${field}[${show(key)}]`, `${show(key)} is not a valid label key`);
            if (typeof labelValue !== "string" || labelValue.length > 63 || !LABEL_NAME.test(labelValue)) {
                this.add(`${field}[${show(key)}]`, `${show(labelValue)} is not a valid label value`);
            }
        }
        return labels as Record<string, string>;
    }
}

function isDnsSubdomain(name: string): boolean {
    return name.length <= 253 && name.split(".").every((label) => DNS_LABEL.test(label));
}

function isLabelKey(key: string): boolean {
    const slash = key.lastIndexOf("/");
    const name = slash < 0 ? key : key.slice(slash + 1);
    const prefix = slash < 0 ? undefined : key.slice(0, slash);
    if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) return false;
    return prefix === undefined || (prefix.length <= 253 && prefix.split(".").every((l) => DNS_LABEL.test(l)));
}

/** Why `host` is not an external DNS name MeshEgress can route, or undefined when it is one. */
export function hostProblem(host: string): string | undefined {
    if (host.length === 0) return "is empty";
    if (isIP(host) || isIP(host.replace(/^\[|\]$/g, ""))) {
        return "is an IP address; a DNS name is required";
    }
    if (host.includes("*")) return 'is a wildcard where a concrete DNS name is required';
    if (host.length > 253) return "is longer than 253 characters";
    const labels = host.split(".");
    const bad = labels.find((label) => label.length > 63 || !DNS_LABEL.test(label));
    if (bad !== undefined) {
        return (
            `is not a valid DNS name: label ${show(bad)} must be 1 to 63 characters of a-z, 0-9 and "-", ` +
            `not starting or ending with "-"`
        );
    }
    if (labels.length < 2) return 'is not fully qualified; an external host has at least two labels, e.g. "example.com"';
    if (host.endsWith(".cluster.local") || labels[labels.length - 1] === "svc") {
        return "is a cluster-local name; MeshEgress routes hosts outside the mesh";
    }
    return undefined;
}

/** Why `host` is not a host MeshEgress can route: a concrete DNS name, or `*.` followed by one. */
function routableHostProblem(host: string): string | undefined {
    if (host === "*") {
        return 'is a bare "*", which would send every host to one upstream; list the hosts, or leave undeclared ' +
            "hosts to outboundTrafficPolicy ALLOW_ANY";
    }
    if (!host.startsWith("*.")) return hostProblem(host);
    const rest = host.slice(2);
    if (rest.includes("*")) return 'has more than one "*"; only a single leading "*." is supported';
    if (rest.split(".").length < 2) return 'is too broad: a wildcard needs at least two labels after "*.", e.g. "*.example.com"';
    const problem = hostProblem(rest);
    return problem ? `is not a valid wildcard: "${rest}" ${problem}` : undefined;
}

/** Why `value` is not an IP address or CIDR (`withPrefix`), or undefined. */
function addressProblem(value: unknown, withPrefix: boolean): string | undefined {
    if (typeof value !== "string") return "must be a string";
    const [address, prefix, ...extra] = value.split("/");
    const family = isIP(address);
    if (family === 0 || extra.length > 0) return withPrefix ? "is not an IP address or CIDR" : "is not an IP address";
    if (prefix === undefined) return undefined;
    if (!withPrefix) return "is not an IP address";
    const bits = Number(prefix);
    if (!/^\d+$/.test(prefix) || bits > (family === 4 ? 32 : 128)) return "has an invalid prefix length";
    return undefined;
}

/** Lower-cases and drops one trailing dot: DNS names are case-insensitive and "a.com." is "a.com". */
export function normalizeHost(host: string): string {
    return host.toLowerCase().replace(/\.$/, "");
}

/** The OS CA bundle in Istio's proxy image. */
export const SYSTEM_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";
const ORIGINATION_MODES: readonly EgressMode[] = [EgressMode.TlsOrigination, EgressMode.MutualTlsOrigination];
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
type HostDraft = Omit<NormalizedHost, "gatewayPort"> & { index: number; fixedGatewayPort?: number };

function validateOrigination(
    problems: Problems,
    field: string,
    entry: Record<string, unknown>,
    mode: EgressMode,
    host: string,
): NormalizedHost["origination"] {
    const tls = problems.object(`${field}.tls`, entry.tls);
    if (!ORIGINATION_MODES.includes(mode)) {
        if (tls) problems.add(`${field}.tls`, `applies only to the modes ${ORIGINATION_MODES.join(" and ")}, not ${mode}`);
        return undefined;
    }
    const options = tls ?? {};
    problems.unknownKeys(`${field}.tls`, options, ["credentialName", "caCertificates", "subjectAltNames", "sni"]);
    const credentialName = options.credentialName;
    if (credentialName !== undefined && (typeof credentialName !== "string" || !isDnsSubdomain(credentialName))) {
        problems.add(`${field}.tls.credentialName`, `${show(credentialName)} is not a valid Secret name`);
    }
    const caCertificates = options.caCertificates;
    if (caCertificates !== undefined && (typeof caCertificates !== "string" || !caCertificates.startsWith("/"))) {
        problems.add(`${field}.tls.caCertificates`, `${show(caCertificates)} must be an absolute path in the gateway pods`);
    }
    if (credentialName !== undefined && caCertificates !== undefined) {
        problems.add(`${field}.tls`, "credentialName and caCertificates are mutually exclusive: the Secret's ca.crt is the CA");
    }
    const sans = options.subjectAltNames;
    if (sans !== undefined && (!Array.isArray(sans) || sans.some((n) => typeof n !== "string" || n.length === 0))) {
        problems.add(`${field}.tls.subjectAltNames`, `${show(sans)} must be a list of non-empty names`);
    }
    const sni = options.sni;
    if (sni !== undefined && (typeof sni !== "string" || hostProblem(sni) !== undefined)) {
        problems.add(`${field}.tls.sni`, `${show(sni)} is not a DNS name`);
    }
    if (mode === EgressMode.MutualTlsOrigination && credentialName === undefined) {
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

function validateHost(problems: Problems, entry: unknown, index: number, hopTls: GatewayHopTls): HostDraft | undefined {
    const field = `hosts[${index}]`;
    if (!isPlainObject(entry)) {
        problems.add(field, `must be an object with a "host" field, got ${show(entry)}`);
        return undefined;
    }
    problems.unknownKeys(field, entry, HOST_FIELDS);
    const mode = problems.enumValue(`${field}.mode`, entry.mode, EgressMode, EgressMode.Http);
    const origination = ORIGINATION_MODES.includes(mode);
    if (mode === EgressMode.Tcp && entry.port === undefined) {
        problems.add(`${field}.port`, "is required for TCP: there is no default port");
    }
    const port = validatePort(problems, `${field}.port`, entry.port, mode === EgressMode.TlsPassthrough ? 443 : 80);
    if (entry.externalPort !== undefined && !origination) {
        problems.add(`${field}.externalPort`, `applies only to the modes ${ORIGINATION_MODES.join(" and ")}, not ${mode}`);
    }
    const externalPort = origination
        ? validatePort(problems, `${field}.externalPort`, entry.externalPort, 443, { allowReserved: true })
        : port;
    const dedicatedGatewayPort =
        mode === EgressMode.Tcp || (mode === EgressMode.TlsPassthrough && hopTls === GatewayHopTls.IstioMutual);
    let fixedGatewayPort: number | undefined;
    if (entry.gatewayPort !== undefined) {
        if (!dedicatedGatewayPort) {
            problems.add(
                `${field}.gatewayPort`,
                "applies only to hosts with a gateway port of their own (TCP, and TLS_PASSTHROUGH with the " +
                    "ISTIO_MUTUAL hop); the others share the gateway port that equals their port",
            );
        } else {
            fixedGatewayPort = validatePort(problems, `${field}.gatewayPort`, entry.gatewayPort, 0);
        }
    }
    const tcp = validateTcp(problems, field, entry, mode);
    if (typeof entry.host !== "string") {
        problems.add(`${field}.host`, entry.host === undefined ? "is required" : `${show(entry.host)} must be a string`);
        return undefined;
    }
    const host = normalizeHost(entry.host);
    const hostError = routableHostProblem(host);
    if (hostError) {
        problems.add(`${field}.host`, `${show(entry.host)} ${hostError}`);
        return undefined;
    }
    const upstreamHost = validateUpstream(problems, field, entry, mode, host);
    const sources = validateSources(problems, `${field}.from`, entry.from, hopTls);
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

/** Who may reach a host: identities the gateway can only see through the hop's Istio mutual TLS. */
function validateSources(problems: Problems, field: string, value: unknown, hopTls: GatewayHopTls): NormalizedHost["sources"] {
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.length === 0) {
        problems.add(field, `${show(value)} must be a non-empty list of { namespace, serviceAccount? }; omit it to allow every workload`);
        return undefined;
    }
    if (hopTls !== GatewayHopTls.IstioMutual) {
        problems.add(
            field,
            "needs gatewayHopTls ISTIO_MUTUAL: the gateway learns who is calling only from the hop's mutual TLS",
        );
    }
    const sources: { namespace: string; serviceAccount?: string }[] = [];
    value.forEach((entry: unknown, i) => {
        const source = problems.object(`${field}[${i}]`, entry);
        if (!source) return;
        problems.unknownKeys(`${field}[${i}]`, source, ["namespace", "serviceAccount"]);
        if (source.namespace === undefined) problems.add(`${field}[${i}].namespace`, "is required");
        const namespace = problems.dnsLabel(`${field}[${i}].namespace`, source.namespace, "");
        const serviceAccount = source.serviceAccount;
        if (serviceAccount !== undefined && (typeof serviceAccount !== "string" || !isDnsSubdomain(serviceAccount))) {
            problems.add(`${field}[${i}].serviceAccount`, `${show(serviceAccount)} is not a valid ServiceAccount name`);
        }
        sources.push(typeof serviceAccount === "string" ? { namespace, serviceAccount } : { namespace });
    });
    return sources;
}

/** A wildcard is routed by SNI to the one server that serves it; a concrete host needs no upstream. */
function validateUpstream(
    problems: Problems,
    field: string,
    entry: Record<string, unknown>,
    mode: EgressMode,
    host: string,
): string | undefined {
    const upstream = entry.upstreamHost;
    if (!host.startsWith("*.")) {
        if (upstream !== undefined) problems.add(`${field}.upstreamHost`, "applies only to wildcard hosts (*.example.com)");
        return undefined;
    }
    if (mode !== EgressMode.TlsPassthrough) {
        problems.add(
            `${field}.mode`,
            `${mode} cannot route the wildcard ${show(host)}: a gateway routes a wildcard by the SNI of the app's TLS, ` +
                "so use TLS_PASSTHROUGH",
        );
    }
    if (upstream === undefined) {
        problems.add(
            `${field}.upstreamHost`,
            `is required for the wildcard ${show(host)}: an egress gateway cannot route arbitrary names (it never sees ` +
                "the addresses the app resolved), so name the one server that serves them all",
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

/** Addresses and static endpoints of a TCP destination. */
function validateTcp(
    problems: Problems,
    field: string,
    entry: Record<string, unknown>,
    mode: EgressMode,
): NormalizedHost["tcp"] {
    const lists = { addresses: entry.addresses, endpoints: entry.endpoints };
    if (mode !== EgressMode.Tcp) {
        for (const [name, value] of Object.entries(lists)) {
            if (value !== undefined) problems.add(`${field}.${name}`, `applies only to TCP, not ${mode}`);
        }
        return undefined;
    }
    const checked: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(lists)) {
        checked[name] = [];
        if (value === undefined) continue;
        if (!Array.isArray(value) || value.length === 0) {
            problems.add(`${field}.${name}`, `${show(value)} must be a non-empty list`);
            continue;
        }
        value.forEach((item: unknown, i) => {
            const problem = addressProblem(item, name === "addresses");
            if (problem) problems.add(`${field}.${name}[${i}]`, `${show(item)} ${problem}`);
            else checked[name].push(item as string);
        });
    }
    return { addresses: checked.addresses, endpoints: checked.endpoints };
}

function validateHosts(problems: Problems, value: unknown, hopTls: GatewayHopTls): NormalizedHost[] {
    if (!Array.isArray(value)) {
        problems.add("hosts", `must be a list of hosts, got ${show(value)}`);
        return [];
    }
    const drafts: HostDraft[] = [];
    const seen = new Map<string, { index: number; raw: string }>();
    const appPortUsers = new Map<number, HostDraft>();
    const fixedPortUsers = new Map<number, HostDraft>();
    const tcpPortUsers = new Map<number, HostDraft[]>();
    value.forEach((entry: unknown, index) => {
        const draft = validateHost(problems, entry, index, hopTls);
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
            const clash = (tcpPortUsers.get(draft.port) ?? []).find(
                (other) =>
                    draft.tcp!.addresses.length === 0 ||
                    other.tcp!.addresses.length === 0 ||
                    other.tcp!.addresses.some((a) => draft.tcp!.addresses.includes(a)),
            );
            if (clash) {
                problems.add(
                    `hosts[${index}].addresses`,
                    `${show(draft.host)} and hosts[${clash.index}] (${show(clash.host)}) are TCP on port ${draft.port} ` +
                        "without distinct addresses: sidecars could not tell their traffic apart; give each its own CIDRs",
                );
                return;
            }
            tcpPortUsers.set(draft.port, [...(tcpPortUsers.get(draft.port) ?? []), draft]);
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
    return drafts
        .map(({ index, fixedGatewayPort, ...host }) => ({
            ...host,
            gatewayPort: host.dedicatedGatewayPort ? dedicated.get(host.host)! : host.port,
        }))
        .sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
}

function validatePort(
    problems: Problems,
    field: string,
    value: unknown,
    fallback: number,
    options: { allowReserved?: boolean } = {},
): number | undefined {
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 65535) {
        problems.add(field, `${show(value)} is not a port number (an integer from 1 to 65535)`);
        return undefined;
    }
    if (!options.allowReserved && value >= ISTIO_RESERVED_PORTS.from && value <= ISTIO_RESERVED_PORTS.to) {
        problems.add(
            field,
            `${value} is reserved by Istio's proxies (${ISTIO_RESERVED_PORTS.from}-${ISTIO_RESERVED_PORTS.to})`,
        );
        return undefined;
    }
    return value;
}

const WORKLOAD_FIELDS = [
    "name",
    "namespace",
    "labels",
    "annotations",
    "replicas",
    "resources",
    "nodeSelector",
    "tolerations",
    "spreadAcrossNodes",
    "podDisruptionBudget",
    "autoscaling",
] as const;

function validateGateway(problems: Problems, args: Record<string, unknown>, componentName: string): NormalizedGateway {
    const existing = problems.object("existingGateway", args.existingGateway);
    const gateway = problems.object("gateway", args.gateway);
    if (existing) {
        if (gateway) {
            const set = Object.keys(gateway).filter((k) => gateway[k] !== undefined);
            problems.add(
                "existingGateway",
                `cannot be combined with gateway (${set.map((k) => `gateway.${k}`).join(", ") || "gateway"}); ` +
                    "MeshEgress does not manage an existing gateway's workload",
            );
        }
        problems.unknownKeys("existingGateway", existing, ["selector", "serviceName", "namespace"]);
        const selector = problems.labels("existingGateway.selector", existing.selector);
        if (existing.selector === undefined) problems.add("existingGateway.selector", "is required");
        if (existing.serviceName === undefined) problems.add("existingGateway.serviceName", "is required");
        return {
            serviceName: problems.dnsLabel("existingGateway.serviceName", existing.serviceName, "invalid"),
            namespace: problems.dnsLabel("existingGateway.namespace", existing.namespace, "istio-system"),
            selector: selector ?? {},
        };
    }
    const g = gateway ?? {};
    problems.unknownKeys("gateway", g, WORKLOAD_FIELDS);
    const serviceName = problems.dnsLabel("gateway.name", g.name, `${componentName}-gateway`);
    problems.integer("gateway.replicas", g.replicas, 1, 1000);
    const pdb = problems.object("gateway.podDisruptionBudget", g.podDisruptionBudget) ?? {};
    problems.unknownKeys("gateway.podDisruptionBudget", pdb, ["enabled", "maxUnavailable"]);
    const workload: GatewayWorkload = {
        annotations: problems.annotations("gateway.annotations", g.annotations),
        replicas: g.replicas ?? 2,
        resources: g.resources,
        nodeSelector: g.nodeSelector,
        tolerations: g.tolerations,
        spreadAcrossNodes: problems.boolean("gateway.spreadAcrossNodes", g.spreadAcrossNodes, true),
        podDisruptionBudget: {
            enabled: problems.boolean("gateway.podDisruptionBudget.enabled", pdb.enabled, true),
            maxUnavailable: problems.plainInteger(
                "gateway.podDisruptionBudget.maxUnavailable",
                pdb.maxUnavailable,
                1,
                1000,
                1,
            ),
        },
    };
    const autoscaling = problems.object("gateway.autoscaling", g.autoscaling);
    if (autoscaling) {
        problems.unknownKeys("gateway.autoscaling", autoscaling, [
            "minReplicas",
            "maxReplicas",
            "targetCpuUtilizationPercentage",
        ]);
        const min = problems.plainInteger("gateway.autoscaling.minReplicas", autoscaling.minReplicas, 1, 1000, 2);
        const max = problems.plainInteger("gateway.autoscaling.maxReplicas", autoscaling.maxReplicas, 1, 1000, 5);
        if (max < min) {
            problems.add("gateway.autoscaling.maxReplicas", `${max} is less than minReplicas (${min})`);
        }
        const cpu = problems.plainInteger(
            "gateway.autoscaling.targetCpuUtilizationPercentage",
            autoscaling.targetCpuUtilizationPercentage,
            1,
            100,
            80,
        );
        workload.autoscaling = { minReplicas: min, maxReplicas: max, targetCpuUtilizationPercentage: cpu };
    }
    return {
        serviceName,
        namespace: problems.dnsLabel("gateway.namespace", g.namespace, "istio-system"),
        selector: problems.labels("gateway.labels", g.labels) ?? { istio: "egressgateway", app: serviceName },
        workload,
    };
}

function validateAntiBypass(problems: Problems, value: unknown): NormalizedArgs["antiBypass"] {
    const antiBypass = problems.object("antiBypass", value);
    if (!antiBypass) return undefined;
    problems.unknownKeys("antiBypass", antiBypass, ["namespaces", "allowNamespaces", "dnsNamespace"]);
    const namespaces = problems.namespaces("antiBypass.namespaces", antiBypass.namespaces);
    if (namespaces.length === 0) problems.add("antiBypass.namespaces", "is required: the client namespaces to lock down");
    return {
        namespaces,
        allowNamespaces: problems.namespaces("antiBypass.allowNamespaces", antiBypass.allowNamespaces),
        dnsNamespace: problems.dnsLabel("antiBypass.dnsNamespace", antiBypass.dnsNamespace, "kube-system"),
    };
}

function validateExportTo(problems: Problems, value: unknown): string[] {
    if (value === undefined) return ["*"];
    if (!Array.isArray(value) || value.length === 0) {
        problems.add("exportTo", `${show(value)} must be a non-empty list of namespaces, "." or "*"`);
        return ["*"];
    }
    for (const namespace of value) {
        if (namespace !== "*" && namespace !== "." && (typeof namespace !== "string" || !DNS_LABEL.test(namespace))) {
            problems.add("exportTo", `${show(namespace)} is not a namespace, "." or "*"`);
        }
    }
    if (value.includes("*") && value.length > 1) problems.add("exportTo", '"*" already means every namespace; list it alone');
    return value as string[];
}

/** Validates and defaults MeshEgress arguments; throws MeshEgressArgsError listing every problem. */
export function validateArgs(componentName: string, rawArgs: MeshEgressArgs | undefined): NormalizedArgs {
    const problems = new Problems();
    if (typeof componentName !== "string" || !DNS_LABEL.test(componentName) || componentName.length > MAX_COMPONENT_NAME) {
        problems.add(
            "name",
            `${show(componentName)} must be a lower-case DNS label (letters, digits and "-") of at most ` +
                `${MAX_COMPONENT_NAME} characters, because it prefixes Kubernetes object names`,
        );
    }
    const args = problems.object("args", rawArgs ?? {}) ?? {};
    problems.unknownKeys("args", args, [
        "hosts",
        "gateway",
        "existingGateway",
        "gatewayHopTls",
        "exportTo",
        "antiBypass",
        "accessLog",
        "outboundTrafficPolicy",
        "istio",
        "istioCluster",
    ]);
    const hopTls = problems.enumValue("gatewayHopTls", args.gatewayHopTls, GatewayHopTls, GatewayHopTls.IstioMutual);
    const exportTo = validateExportTo(problems, args.exportTo);
    const hosts = validateHosts(problems, args.hosts, hopTls);
    const gateway = validateGateway(problems, args, componentName);

    const istio = problems.object("istio", args.istio) ?? {};
    problems.unknownKeys("istio", istio, ["namespace", "revision", "rootNamespace"]);
    const istioNamespace = problems.dnsLabel("istio.namespace", istio.namespace, "istio-system");
    const revision = istio.revision === "" ? "" : problems.dnsLabel("istio.revision", istio.revision, "");
    const rootNamespace = problems.dnsLabel("istio.rootNamespace", istio.rootNamespace, istioNamespace);

    const policy = problems.object("outboundTrafficPolicy", args.outboundTrafficPolicy) ?? {};
    problems.unknownKeys("outboundTrafficPolicy", policy, ["mode", "target", "namespaces"]);
    const mode = problems.enumValue(
        "outboundTrafficPolicy.mode",
        policy.mode,
        OutboundTrafficPolicyMode,
        OutboundTrafficPolicyMode.RegistryOnly,
    );
    const target = problems.enumValue(
        "outboundTrafficPolicy.target",
        policy.target,
        OutboundPolicyTarget,
        OutboundPolicyTarget.MeshConfig,
    );

    const policyNamespaces = problems.namespaces("outboundTrafficPolicy.namespaces", policy.namespaces);
    if (target === OutboundPolicyTarget.NamespaceSidecars && policyNamespaces.length === 0) {
        problems.add("outboundTrafficPolicy.namespaces", "is required for target NAMESPACE_SIDECARS");
    }
    if (target !== OutboundPolicyTarget.NamespaceSidecars && policy.namespaces !== undefined) {
        problems.add("outboundTrafficPolicy.namespaces", `applies only to target NAMESPACE_SIDECARS, not ${target}`);
    }
    const antiBypass = validateAntiBypass(problems, args.antiBypass);
    const accessLog = problems.object("accessLog", args.accessLog) ?? {};
    problems.unknownKeys("accessLog", accessLog, ["enabled", "provider"]);
    if (accessLog.provider !== undefined && (typeof accessLog.provider !== "string" || accessLog.provider === "")) {
        problems.add("accessLog.provider", `${show(accessLog.provider)} must be a provider name`);
    }

    const istioCluster = problems.object("istioCluster", args.istioCluster);
    if (istioCluster) {
        problems.unknownKeys("istioCluster", istioCluster, ["kubeconfig", "context"]);
        if (istioCluster.kubeconfig === undefined || istioCluster.kubeconfig === "") {
            problems.add("istioCluster.kubeconfig", "is required");
        }
    }

    if (problems.list.length > 0) throw new MeshEgressArgsError(String(componentName), problems.list);
    return {
        name: componentName,
        hosts,
        hopTls,
        exportTo,
        gateway,
        istio: {
            namespace: istioNamespace,
            revision,
            rootNamespace,
            meshConfigMapName: revision ? `istio-${revision}` : "istio",
        },
        policy: { mode, target, namespaces: policyNamespaces },
        ...(antiBypass ? { antiBypass } : {}),
        accessLog: {
            enabled: problems.boolean("accessLog.enabled", accessLog.enabled, true),
            provider: typeof accessLog.provider === "string" ? accessLog.provider : "envoy",
        },
        separateIstioCluster: istioCluster !== undefined,
    };
}
