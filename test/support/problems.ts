// Refused arguments in tests: the problems they produce, and what a MeshEgressArgsError line must do: name a field
// that exists in the arguments (or whose parent does, for a missing field) and, when that field holds a plain value,
// show the value.
import { expect } from "chai";
import { MeshEgressArgs } from "../../sdk";
import { MeshEgressArgsError, validateArgs } from "../../sdk/validate";
import { show } from "../../sdk/validate/problems";

/** The problems MeshEgress reports for arguments it must refuse (fails the test if it accepts them). */
export function problemsOf(args: unknown, name = "egress"): string[] {
    try {
        validateArgs(name, args as MeshEgressArgs);
    } catch (error) {
        expect(error).to.be.instanceOf(MeshEgressArgsError);
        return (error as MeshEgressArgsError).problems;
    }
    throw new Error("expected the arguments to be rejected");
}

/** `hosts[0].tls.sni` → ["hosts", 0, "tls", "sni"]; `labels["a b"]` → ["labels", "a b"]. */
function pathOf(field: string): (string | number)[] {
    const segments: (string | number)[] = [];
    for (const [, name, index, quoted] of field.matchAll(/([^.[\]]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g)) {
        if (name !== undefined) segments.push(name);
        else if (index !== undefined) segments.push(Number(index));
        else segments.push(JSON.parse(quoted));
    }
    return segments;
}

function lookup(root: unknown, path: (string | number)[]): { found: boolean; value: unknown } {
    let value: unknown = root;
    for (const segment of path) {
        if (typeof value !== "object" || value === null || !(segment in value))
            return { found: false, value: undefined };
        value = (value as Record<string | number, unknown>)[segment];
    }
    return { found: true, value };
}

export function namesItsFields(problem: string, componentName: string, args: MeshEgressArgs): boolean {
    const colon = problem.indexOf(": ");
    if (colon < 0) return false;
    const field = problem.slice(0, colon);
    const message = problem.slice(colon + 2);
    if (field === "name") return message.includes(show(componentName));
    const path = pathOf(field);
    if (path.length === 0) return false;
    const own = lookup(args, path);
    if (!own.found) return lookup(args, path.slice(0, -1)).found;
    const value = own.value;
    const plain = typeof value === "string" || typeof value === "number" || typeof value === "boolean";
    // A map entry's problem may be its key rather than its value.
    const key = path[path.length - 1];
    const namesKey =
        typeof key === "string" && field.endsWith(`[${JSON.stringify(key)}]`) && message.includes(show(key));
    return !plain || message.startsWith("is not a known field") || message.includes(show(value)) || namesKey;
}
