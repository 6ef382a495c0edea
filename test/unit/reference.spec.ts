// The argument reference has one source, the JSDoc of sdk/args, which Pulumi's schema inference carries to every
// language: docs/reference.md is generated from the schema, and every optional argument states its default there.
import { expect } from "chai";
import * as fs from "node:fs";
import { REFERENCE, Schema, inferredSchema, renderReference } from "../../tools/reference";

/** Optional input properties whose description does not state a default, as "<type>.<property>". */
function withoutDefault(schema: Schema): string[] {
    const missing: string[] = [];
    const check = (owner: string, properties: Record<string, { description?: string }>, required: string[] = []) => {
        for (const [name, property] of Object.entries(properties)) {
            if (!required.includes(name) && !/\bDefault: /.test(property.description ?? ""))
                missing.push(`${owner}.${name}`);
        }
    };
    const component = schema.resources["mesh-egress:index:MeshEgress"];
    check("MeshEgress", component.inputProperties, component.requiredInputs);
    for (const [token, type] of Object.entries(schema.types)) {
        if (type.properties && token !== "mesh-egress:index:HostObjects") check(token, type.properties, type.required);
    }
    return missing;
}

describe("the argument reference", function () {
    this.timeout(120_000);
    let schema: Schema;
    before(async () => {
        schema = await inferredSchema();
    });

    it("docs/reference.md is exactly what the schema generates (run `npm run docs` after changing sdk/args)", () => {
        expect(fs.readFileSync(REFERENCE, "utf8")).to.equal(renderReference(schema));
    });

    it("every optional argument states its default in the description every language shows", () => {
        expect(withoutDefault(schema)).to.deep.equal([]);
    });

    it("a reference missing an argument's row is caught", () => {
        const committed = fs.readFileSync(REFERENCE, "utf8");
        const withoutRow = committed.replace(/^\| `gatewayHopTls` .*\n/m, "");
        expect(withoutRow).to.not.equal(committed);
        expect(withoutRow).to.not.equal(renderReference(schema));
    });
});
