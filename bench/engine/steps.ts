// The steps of `pulumi preview --json` (the CLI's PreviewDigest), reduced to what the benchmark compares.
import { createHash } from "node:crypto";

export interface Step {
    /** create, update, same, delete, replace, ... */
    op: string;
    type: string;
    /** The logical name (last part of the URN). */
    name: string;
    custom: boolean;
    /** The provider reference without stack, project and id: `<type>::<name>`. */
    provider: string;
    /** The inputs after the provider's Check (absent for deletes). */
    inputs?: unknown;
    /** `<type>::<name>` of every resource this one depends on, sorted. */
    dependencies: string[];
}

interface PreviewStep {
    op: string;
    urn: string;
    provider?: string;
    newState?: { type: string; custom?: boolean; inputs?: unknown; dependencies?: string[] };
    oldState?: { type: string; custom?: boolean };
}

/** `urn:pulumi:<stack>::<project>::<type>::<name>` → [type, name]; the stack differs between the variants. */
function typeAndName(urn: string): [string, string] {
    const parts = urn.split("::");
    // A child's type is `<parent type>$<type>`: only its own type identifies the object.
    return [parts[2].split("$").pop()!, parts.slice(3).join("::")];
}

/** An owner, `<project>/<stack>/<component>`, with the stack left out: it differs between the variants. */
const ownerWithoutStack = (owner: string) => owner.replace(/^([^/]+)\/[^/]+\//, "$1/<stack>/");

/** The owner the mesh config edit and every object record names the stack, which differs between variants. */
function withoutStack(inputs: any): unknown {
    if (typeof inputs?.owner === "string") return { ...inputs, owner: ownerWithoutStack(inputs.owner) };
    const annotations = inputs?.metadata?.annotations;
    if (typeof annotations?.["mesh-egress.io/owner"] !== "string") return inputs;
    const owner = ownerWithoutStack(annotations["mesh-egress.io/owner"]);
    return {
        ...inputs,
        metadata: { ...inputs.metadata, annotations: { ...annotations, "mesh-egress.io/owner": owner } },
    };
}

export function parsePreview(json: string): Step[] {
    const digest = JSON.parse(json) as { steps?: PreviewStep[] };
    return (digest.steps ?? []).map((s) => {
        const state = s.newState ?? s.oldState!;
        const [type, name] = typeAndName(s.urn);
        const provider = s.provider ? typeAndName(s.provider.slice(0, s.provider.lastIndexOf("::"))).join("::") : "";
        const dependencies = (s.newState?.dependencies ?? []).map((urn) => typeAndName(urn).join("::")).sort();
        return {
            op: s.op,
            type,
            name,
            custom: state.custom ?? false,
            provider,
            inputs: withoutStack(s.newState?.inputs),
            dependencies,
        };
    });
}

/** JSON with object keys sorted, so equal values always give equal text. */
function canonical(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
    if (value && typeof value === "object") {
        const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
    }
    return JSON.stringify(value);
}

/**
 * What two programs that register the same objects agree on: every custom resource's type (which also tells a typed
 * class from a CustomResource), name, provider, checked inputs and dependencies. Parents and URNs are left out: they differ. So are
 * the provider resources themselves: each stack renders into a directory of its own.
 */
export function resourceDigest(steps: Step[]): { customResources: number; digest: string } {
    const objects = steps.filter((s) => s.custom && !s.type.startsWith("pulumi:providers:"));
    const lines = objects.map(
        (s) => `${s.type} ${s.name} ${s.provider} ${canonical(s.inputs)} ${s.dependencies.join(",")}`,
    );
    return {
        customResources: lines.length,
        digest: createHash("sha256").update(lines.sort().join("\n")).digest("hex"),
    };
}

/** `<op> <type> <name>` for every step that is not `same`, sorted. */
export function changes(steps: Step[]): string[] {
    return steps
        .filter((s) => s.op !== "same")
        .map((s) => `${s.op} ${s.type} ${s.name}`)
        .sort();
}
