// Every default has one source, sdk/args/defaults.ts, which validation applies; the description each language shows
// (the JSDoc, through Pulumi's schema inference) must state exactly that value, and state no default the table lacks.
import { expect } from "chai";
import { parse } from "yaml";
import { DEFAULTS } from "../../sdk/args/defaults";
import { Schema, inferredSchema } from "../../tools/reference";

/** Documented defaults that Kubernetes applies, not MeshEgress (it passes tolerations through). */
const KUBERNETES_DEFAULTS = ["Toleration.key", "Toleration.operator", "Toleration.value", "Toleration.effect"];

interface Documented {
    /** "<type>.<property>" */
    field: string;
    /** The type an object-valued property refers to, e.g. "AccessLog". */
    ref?: string;
    value: unknown;
}

/**
 * Every property whose description states its default as one literal ("Default: `2`.", "Default: `{ enabled: true }`"),
 * parsed. Defaults in words, naming other arguments (`"<component name>-gateway"`) or depending on them are left out.
 */
function documentedDefaults(schema: Schema): Documented[] {
    const found: Documented[] = [];
    const read = (owner: string, properties: Record<string, { description?: string; $ref?: string }>) => {
        for (const [name, property] of Object.entries(properties)) {
            const match = /\bDefault: `([^`]*)`([^.;]*)/.exec(property.description ?? "");
            // A default that depends on something else: "`443` for TLS_PASSTHROUGH", "unless `credentialName`".
            if (!match || match[1].includes("<") || /\b(for|unless|otherwise|when)\b/.test(match[2])) continue;
            const literal = match[1];
            const ref = property.$ref?.split(":").pop();
            found.push({ field: `${owner}.${name}`, ref, value: parse(literal) });
        }
    };
    read("MeshEgress", schema.resources["mesh-egress:index:MeshEgress"].inputProperties);
    for (const [token, type] of Object.entries(schema.types)) {
        if (type.properties) read(token.split(":").pop()!, type.properties);
    }
    return found;
}

const table: Record<string, unknown> = DEFAULTS;

describe("argument defaults", function () {
    this.timeout(120_000);
    let documented: Documented[];
    before(async () => {
        documented = documentedDefaults(await inferredSchema());
    });

    it("every default the table holds is the one its field's description states", () => {
        const stated = new Map(documented.map((d) => [d.field, d.value]));
        const disagreeing = Object.entries(table)
            .filter(([field, value]) => JSON.stringify(stated.get(field)) !== JSON.stringify(value))
            .map(
                ([field, value]) =>
                    `${field}: table ${JSON.stringify(value)}, description ${JSON.stringify(stated.get(field))}`,
            );
        expect(disagreeing).to.deep.equal([]);
    });

    it("every default a description states as a value is in the table (an object's, field by field)", () => {
        const missing: string[] = [];
        for (const { field, ref, value } of documented) {
            if (KUBERNETES_DEFAULTS.includes(field) || field in table) continue;
            const isObject = value !== null && typeof value === "object" && !Array.isArray(value);
            if (ref && isObject) {
                for (const [key, part] of Object.entries(value as Record<string, unknown>)) {
                    if (JSON.stringify(table[`${ref}.${key}`]) !== JSON.stringify(part)) {
                        missing.push(`${field}.${key}: ${JSON.stringify(part)} is not ${ref}.${key} in the table`);
                    }
                }
            } else {
                missing.push(`${field}: ${JSON.stringify(value)}`);
            }
        }
        expect(missing).to.deep.equal([]);
    });
});
