// The engine the tests run is the one users get: the Kubernetes provider plugin tools/build.sh builds must be the
// release of the @pulumi/kubernetes SDK the package depends on (the SDK asks the engine for exactly that plugin
// version; an older one is run with a warning, and would be what the end-to-end tests prove instead).
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";

const REPO = path.join(__dirname, "..", "..");

function read(file: string): string {
    return fs.readFileSync(path.join(REPO, file), "utf8");
}

/** A plain assignment of tools/versions.env. */
function toolVersion(name: string): string {
    const match = new RegExp(`^${name}=(.*)$`, "m").exec(read("tools/versions.env"));
    if (!match) throw new Error(`tools/versions.env has no ${name}`);
    return match[1];
}

describe("the toolchain's Kubernetes provider", () => {
    const built = toolVersion("TOOLS_PULUMI_KUBERNETES_VERSION");

    it("is the version of @pulumi/kubernetes that package.json pins", () => {
        expect(JSON.parse(read("package.json")).dependencies["@pulumi/kubernetes"]).to.equal(built);
    });

    it("is the version of @pulumi/kubernetes that npm installed", () => {
        expect(JSON.parse(read("node_modules/@pulumi/kubernetes/package.json")).version).to.equal(built);
    });

    it("is built from the provider module's sdk/v4 release of that version", () => {
        expect(read("tools/pulumi-kubernetes/go.mod")).to.match(
            new RegExp(`github\\.com/pulumi/pulumi-kubernetes/sdk/v4 v${built.replace(/\./g, "\\.")}\\b`),
        );
    });

    it("is the version every example that depends on @pulumi/kubernetes pins", () => {
        const examples = fs.readdirSync(path.join(REPO, "examples"));
        const pins = examples
            .filter((example) => fs.existsSync(path.join(REPO, "examples", example, "package.json")))
            .map((example) => [example, JSON.parse(read(`examples/${example}/package.json`)).dependencies ?? {}])
            .filter(([, dependencies]) => dependencies["@pulumi/kubernetes"] !== undefined)
            .map(([example, dependencies]) => `${example}: ${dependencies["@pulumi/kubernetes"]}`);
        expect(pins.length, "examples that pin @pulumi/kubernetes").to.be.greaterThan(0);
        expect(pins.filter((pin) => !pin.endsWith(`: ${built}`))).to.deep.equal([]);
    });
});
