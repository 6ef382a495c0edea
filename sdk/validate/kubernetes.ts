// Kubernetes' own validation rules for the values MeshEgress passes to the API server, mirrored from
// k8s.io/apimachinery/pkg/util/validation (names, labels), k8s.io/apimachinery/pkg/api/resource (quantities) and
// k8s.io/kubernetes/pkg/apis/core/validation (tolerations), so that what the API server would reject is rejected at
// construction instead, before any child exists. Each function returns why a value is invalid, or undefined.
import ipaddr from "ipaddr.js";
import { MAX_NAME_LENGTH } from "../naming/fit";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
/** The largest value of a Kubernetes int32 field. */
export const INT32_MAX = 2 ** 31 - 1;
const MAX_SUBDOMAIN_LENGTH = 253;

/** IsDNS1123Label: most object names and every namespace. */
export function dns1123LabelProblem(value: string): string | undefined {
    if (value.length > MAX_NAME_LENGTH) return `must be at most ${MAX_NAME_LENGTH} characters`;
    if (!DNS1123_LABEL.test(value)) {
        return 'must be a DNS-1123 label: lower-case letters, digits and "-", starting and ending with a letter or digit';
    }
    return undefined;
}

/** IsDNS1035Label: Service names (they become DNS labels that must not start with a digit). */
export function dns1035LabelProblem(value: string): string | undefined {
    if (value.length > MAX_NAME_LENGTH) return `must be at most ${MAX_NAME_LENGTH} characters`;
    if (!DNS1035_LABEL.test(value)) {
        return 'must be a DNS-1035 label: lower-case letters, digits and "-", starting with a letter and ending with a letter or digit';
    }
    return undefined;
}

/** IsDNS1123Subdomain: Secret and ServiceAccount names, label key prefixes. */
export function dns1123SubdomainProblem(value: string): string | undefined {
    if (value.length > MAX_SUBDOMAIN_LENGTH) return `must be at most ${MAX_SUBDOMAIN_LENGTH} characters`;
    if (!value.split(".").every((label) => DNS1123_LABEL.test(label))) {
        return 'must be a DNS-1123 subdomain: dot-separated labels of lower-case letters, digits and "-"';
    }
    return undefined;
}

/** IsQualifiedName: label and annotation keys, `[prefix/]name`. */
export function qualifiedNameProblem(key: string): string | undefined {
    const slash = key.indexOf("/");
    const name = slash < 0 ? key : key.slice(slash + 1);
    if (slash >= 0) {
        const prefix = key.slice(0, slash);
        if (prefix.length === 0) return "has an empty prefix before /";
        const problem = dns1123SubdomainProblem(prefix);
        if (problem) return `has a prefix that ${problem}`;
    }
    if (name.length === 0) return "has an empty name";
    if (name.length > MAX_NAME_LENGTH) return `has a name longer than ${MAX_NAME_LENGTH} characters`;
    if (!QUALIFIED_NAME.test(name)) {
        return 'must be [prefix/]name where name is letters, digits, "-", "_" and ".", starting and ending with a letter or digit';
    }
    return undefined;
}

/** IsValidLabelValue. */
export function labelValueProblem(value: string): string | undefined {
    if (value.length > MAX_NAME_LENGTH) return `must be at most ${MAX_NAME_LENGTH} characters`;
    if (!LABEL_VALUE.test(value)) {
        return 'must be empty or letters, digits, "-", "_" and ".", starting and ending with a letter or digit';
    }
    return undefined;
}

// resource.ParseQuantity: a signed decimal number and one suffix — binary SI, decimal SI, or a decimal exponent.
const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
const SUFFIX_SCALE: Record<string, number> = {
    "": 1,
    n: 1e-9,
    u: 1e-6,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
};

/** The value of a quantity as a number (for comparisons), or undefined when it is not a quantity. */
export function quantityValue(value: string): number | undefined {
    const match = QUANTITY.exec(value);
    if (!match) return undefined;
    const suffix = match[3] ?? "";
    const number = Number(value.slice(0, value.length - suffix.length));
    const scale = /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : SUFFIX_SCALE[suffix];
    return number * scale;
}

/** A resource quantity the API server accepts for a container's requests or limits (non-negative). */
export function resourceQuantityProblem(value: string): string | undefined {
    const parsed = quantityValue(value);
    if (parsed === undefined) {
        return 'is not a Kubernetes quantity (a number with an optional suffix such as "m", "Mi" or "Gi", e.g. "100m", "128Mi")';
    }
    if (parsed < 0) return "must not be negative";
    return undefined;
}

const TOLERATION_OPERATORS = ["Exists", "Equal"];
const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

/** validateTolerations, for one toleration whose fields are known: field name -> problem. */
export function tolerationProblems(toleration: {
    key?: unknown;
    operator?: unknown;
    value?: unknown;
    effect?: unknown;
}): Record<string, string> {
    const problems: Record<string, string> = {};
    const { key, operator, value, effect } = toleration;
    if (typeof key === "string" && key !== "") {
        const problem = qualifiedNameProblem(key);
        if (problem) problems.key = problem;
    }
    if (typeof operator === "string" && operator !== "" && !TOLERATION_OPERATORS.includes(operator)) {
        problems.operator = `must be one of ${TOLERATION_OPERATORS.join(", ")}`;
    }
    if ((key === undefined || key === "") && typeof operator === "string" && operator !== "Exists") {
        problems.operator = 'must be "Exists" when key is empty (it then tolerates every taint)';
    }
    if (operator === "Exists" && typeof value === "string" && value !== "") {
        problems.value = 'must be empty when operator is "Exists"';
    } else if (typeof value === "string") {
        const problem = labelValueProblem(value);
        if (problem) problems.value = problem;
    }
    if (typeof effect === "string" && effect !== "" && !TAINT_EFFECTS.includes(effect)) {
        problems.effect = `must be one of ${TAINT_EFFECTS.join(", ")} (or empty for every effect)`;
    }
    return problems;
}

/** An IP address (no prefix), in canonical text form, or undefined when it is not one. */
export function canonicalIp(value: string): string | undefined {
    if (!ipaddr.isValid(value) || value.includes("/")) return undefined;
    // ipaddr.js also parses shorthand IPv4 ("10.1"); Kubernetes and Istio take only four dotted octets.
    if (ipaddr.IPv4.isValid(value) && !ipaddr.IPv4.isValidFourPartDecimal(value)) return undefined;
    return ipaddr.parse(value).toString();
}

/** An IP range: its network address and prefix length. */
export interface IpRange {
    family: "ipv4" | "ipv6";
    /** Canonical CIDR of the network, e.g. "10.0.0.0/8". */
    cidr: string;
    network: ipaddr.IPv4 | ipaddr.IPv6;
    bits: number;
}

/** An address or CIDR as the range it covers (an address is a /32 or /128), or undefined when it is neither. */
export function ipRange(value: string): IpRange | undefined {
    const [address, prefix, ...extra] = value.split("/");
    if (extra.length > 0 || canonicalIp(address) === undefined) return undefined;
    const parsed = ipaddr.parse(address);
    const width = parsed.kind() === "ipv4" ? 32 : 128;
    if (prefix !== undefined && !/^\d{1,3}$/.test(prefix)) return undefined;
    const bits = prefix === undefined ? width : Number(prefix);
    if (bits > width) return undefined;
    const network =
        parsed.kind() === "ipv4"
            ? ipaddr.IPv4.networkAddressFromCIDR(`${address}/${bits}`)
            : ipaddr.IPv6.networkAddressFromCIDR(`${address}/${bits}`);
    return { family: parsed.kind(), cidr: `${network.toString()}/${bits}`, network, bits };
}

/** Whether two ranges share any address. */
export function rangesOverlap(a: IpRange, b: IpRange): boolean {
    if (a.family !== b.family) return false;
    const shorter = a.bits <= b.bits ? a : b;
    const longer = shorter === a ? b : a;
    return longer.network.match(shorter.network, shorter.bits);
}
