// The package's inferred Pulumi schema is its public surface in every language: it must match the committed
// snapshot (update it on purpose with UPDATE_SCHEMA_SNAPSHOT=1) and describe every property.
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { inferredSchema } from "../../tools/reference";

const SNAPSHOT = path.join(__dirname, "schema.snapshot.json");

function undescribed(schema: any): string[] {
    const missing: string[] = [];
    const check = (owner: string, properties: Record<string, { description?: string }> = {}) => {
        for (const [name, property] of Object.entries(properties))
            if (!property.description) missing.push(`${owner}.${name}`);
    };
    for (const [name, resource] of Object.entries<any>(schema.resources)) {
        check(name, resource.inputProperties);
        check(name, resource.properties);
    }
    for (const [name, type] of Object.entries<any>(schema.types)) check(name, type.properties);
    return missing;
}

describe("the inferred Pulumi schema", function () {
    this.timeout(120_000);
    let schema: any;
    before(async () => {
        schema = await inferredSchema();
        if (process.env.UPDATE_SCHEMA_SNAPSHOT) fs.writeFileSync(SNAPSHOT, `${JSON.stringify(schema, null, 2)}\n`);
    });

    it("matches the committed snapshot (a change here is a change of the public surface)", () => {
        const snapshot = JSON.parse(fs.readFileSync(SNAPSHOT, "utf8"));
        // Line-by-line JSON so chai prints a readable diff.
        expect(JSON.stringify(schema, null, 2)).to.equal(JSON.stringify(snapshot, null, 2));
    });

    it("describes every input, output and type property", () => {
        expect(undescribed(schema)).to.deep.equal([]);
    });

    it("keeps internals out of the outputs", () => {
        expect(Object.keys(schema.resources["mesh-egress:index:MeshEgress"].properties).sort()).to.deep.equal([
            "attachments",
            "gatewayNamespace",
            "gatewayPorts",
            "gatewayServiceFqdn",
            "hostObjects",
            "outboundTrafficPolicyMode",
            "summary",
        ]);
    });
});
