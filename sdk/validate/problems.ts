// The shared machinery of validation: the error type, value rendering, and a collector of problems that checks the
// common shapes (objects, enums, names, labels, integers, ports). Every message names the field and, when there is
// one, the offending value.
import {
    dns1035LabelProblem,
    dns1123LabelProblem,
    dns1123SubdomainProblem,
    labelValueProblem,
    qualifiedNameProblem,
} from "./kubernetes";

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

const ISTIO_RESERVED_PORTS = { from: 15000, to: 15090 };

/** A value not known at construction: a Pulumi Output (duck-typed: validation must not import Pulumi) or a Promise. */
export function isDeferred(value: unknown): boolean {
    if (typeof value !== "object" || value === null) return false;
    return (value as { __pulumiOutput?: unknown }).__pulumiOutput === true || typeof (value as any).then === "function";
}

/** The value with deferred parts replaced by a marker (JSON.stringify would call an Output's toJSON, which warns). */
function renderable(value: unknown, depth = 0): unknown {
    if (isDeferred(value)) return (value as any).__pulumiOutput ? "<Pulumi Output>" : "<Promise>";
    if (depth > 8 || typeof value !== "object" || value === null) return value;
    if (Array.isArray(value)) return value.map((item) => renderable(item, depth + 1));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderable(v, depth + 1)]));
}

/** JSON-ish rendering of a user value for messages. */
export function show(value: unknown): string {
    if (typeof value === "string") return JSON.stringify(value);
    if (value === undefined) return "undefined";
    if (typeof value === "number" || typeof value === "bigint") return String(value);
    try {
        return JSON.stringify(renderable(value)) ?? String(value);
    } catch {
        return String(value);
    }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value) && !isDeferred(value);
}

/** Collects problems while walking the arguments. */
export class Problems {
    readonly list: string[] = [];
    add(field: string, message: string): void {
        this.list.push(`${field}: ${message}`);
    }
    /**
     * False (with a problem) when a field that must be known at construction is an Output or a Promise: such fields
     * decide which objects MeshEgress creates, or are validated before any object exists.
     */
    known(field: string, value: unknown): boolean {
        if (!isDeferred(value)) return true;
        this.add(
            field,
            `is ${show(value)}, but must be a plain value: it decides which objects MeshEgress creates or is ` +
                "validated before any of them exists (only gateway.replicas, resources, nodeSelector, tolerations " +
                "and istioCluster take Outputs)",
        );
        return false;
    }
    unknownKeys(field: string, value: Record<string, unknown>, known: readonly string[]): void {
        for (const key of Object.keys(value)) {
            if (!known.includes(key) && value[key] !== undefined) {
                this.add(`${field}.${key}`, `is not a known field (known: ${known.join(", ")})`);
            }
        }
    }
    object(field: string, value: unknown): Record<string, unknown> | undefined {
        if (value === undefined || !this.known(field, value)) return undefined;
        if (isPlainObject(value)) return value;
        this.add(field, `must be an object, got ${show(value)}`);
        return undefined;
    }
    enumValue<T extends string>(field: string, value: unknown, allowed: Record<string, T>, fallback: T): T {
        if (value === undefined || !this.known(field, value)) return fallback;
        const values = Object.values(allowed);
        if (values.includes(value as T)) return value as T;
        this.add(field, `${show(value)} is not one of ${values.join(", ")}`);
        return fallback;
    }
    /** A string accepted by a Kubernetes name rule (`check` returns why not). */
    name(
        field: string,
        value: unknown,
        fallback: string,
        check: (name: string) => string | undefined,
        what: string,
    ): string {
        if (value === undefined || !this.known(field, value)) return fallback;
        if (typeof value !== "string") {
            this.add(field, `${show(value)} must be a string (${what})`);
            return fallback;
        }
        const problem = check(value);
        if (problem) {
            this.add(field, `${show(value)} is not a valid ${what}: it ${problem}`);
            return fallback;
        }
        return value;
    }
    /** A namespace or other DNS-1123 label. */
    dnsLabel(field: string, value: unknown, fallback: string, what = "Kubernetes name"): string {
        return this.name(field, value, fallback, dns1123LabelProblem, what);
    }
    /** A Service name: a DNS-1035 label. */
    serviceName(field: string, value: unknown, fallback: string): string {
        return this.name(field, value, fallback, dns1035LabelProblem, "Service name");
    }
    /** A Secret or ServiceAccount name: a DNS-1123 subdomain. */
    subdomain(field: string, value: unknown, what: string): string | undefined {
        const name = this.name(field, value, "", dns1123SubdomainProblem, what);
        return name === "" ? undefined : name;
    }
    /** A plain integer within bounds; Outputs are accepted unchecked (the field is an Input). */
    integer(field: string, value: unknown, min: number, max: number): void {
        if (value === undefined || isDeferred(value)) return;
        if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
            this.add(field, `${show(value)} must be an integer from ${min} to ${max}`);
        }
    }
    plainInteger(field: string, value: unknown, min: number, max: number, fallback: number): number {
        if (value === undefined || !this.known(field, value)) return fallback;
        if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
            this.add(field, `${show(value)} must be an integer from ${min} to ${max}`);
            return fallback;
        }
        return value;
    }
    boolean(field: string, value: unknown, fallback: boolean): boolean {
        if (value === undefined || !this.known(field, value)) return fallback;
        if (typeof value === "boolean") return value;
        this.add(field, `${show(value)} must be true or false`);
        return fallback;
    }
    /** A list of strings without duplicates; [] when absent. */
    uniqueList(field: string, value: unknown, what: string): unknown[] {
        if (value === undefined || !this.known(field, value)) return [];
        if (!Array.isArray(value)) {
            this.add(field, `${show(value)} must be a list of ${what}`);
            return [];
        }
        const seen = new Map<unknown, number>();
        value.forEach((item, i) => {
            const first = seen.get(item);
            if (first !== undefined) this.add(`${field}[${i}]`, `${show(item)} duplicates ${field}[${first}]`);
            else seen.set(item, i);
        });
        return value;
    }
    /** An optional list of distinct namespace names; [] when absent. */
    namespaces(field: string, value: unknown): string[] {
        const list = this.uniqueList(field, value, "namespaces");
        return [
            ...new Set(
                list.filter((namespace, i) => this.dnsLabel(`${field}[${i}]`, namespace, "", "namespace") !== ""),
            ),
        ] as string[];
    }
    /** Keys are qualified names; values are strings (annotations) or label values (labels). */
    stringMap(field: string, value: unknown, kind: "label" | "annotation"): Record<string, string> | undefined {
        const map = this.object(field, value);
        if (!map) return undefined;
        for (const [key, entry] of Object.entries(map)) {
            const keyProblem = qualifiedNameProblem(key);
            if (keyProblem)
                this.add(`${field}[${show(key)}]`, `${show(key)} is not a valid ${kind} key: it ${keyProblem}`);
            if (typeof entry !== "string") {
                this.add(`${field}[${show(key)}]`, `${show(entry)} must be a string`);
            } else if (kind === "label") {
                const valueProblem = labelValueProblem(entry);
                if (valueProblem)
                    this.add(`${field}[${show(key)}]`, `${show(entry)} is not a valid label value: it ${valueProblem}`);
            }
        }
        return map as Record<string, string>;
    }
    annotations(field: string, value: unknown): Record<string, string> {
        return this.stringMap(field, value, "annotation") ?? {};
    }
    /** Labels that select pods (`selected`: which ones): at least one, or every pod would be selected. */
    labels(field: string, value: unknown, selected = "the gateway pods"): Record<string, string> | undefined {
        const labels = this.stringMap(field, value, "label");
        if (labels && Object.keys(labels).length === 0) {
            this.add(field, `must not be empty: ${selected} are selected by these labels`);
            return undefined;
        }
        return labels;
    }
}

export function validatePort(
    problems: Problems,
    field: string,
    value: unknown,
    fallback: number,
    options: { allowReserved?: boolean } = {},
): number | undefined {
    if (value === undefined) return fallback;
    if (!problems.known(field, value)) return undefined;
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
