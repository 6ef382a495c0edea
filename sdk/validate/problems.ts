// The shared machinery of validation: the error type, value rendering, and a collector of problems that checks the
// common shapes (objects, enums, names, labels, integers, ports).

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

export const DNS_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
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

export function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Collects problems while walking the arguments. */
export class Problems {
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

export function isDnsSubdomain(name: string): boolean {
    return name.length <= 253 && name.split(".").every((label) => DNS_LABEL.test(label));
}

export function isLabelKey(key: string): boolean {
    const slash = key.lastIndexOf("/");
    const name = slash < 0 ? key : key.slice(slash + 1);
    const prefix = slash < 0 ? undefined : key.slice(0, slash);
    if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) return false;
    return prefix === undefined || (prefix.length <= 253 && prefix.split(".").every((l) => DNS_LABEL.test(l)));
}

export function validatePort(
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
