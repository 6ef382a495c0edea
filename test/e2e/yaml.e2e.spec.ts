// MeshEgress from a Pulumi YAML program, end to end on real parts: `pulumi package add` of mesh-egress's executable
// plugin, the Pulumi CLI with the YAML language host, the plugin constructing MeshEgress (and serving its mesh config
// edit), the Kubernetes provider and a local kube-apiserver. The TypeScript program must produce the same objects.
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { PLUGIN, languageExample } from "./support/languageExample";
import {
    SKIP_AWAIT,
    itRunsTheSeedLikeTypeScript,
    pluginSeedCreates,
    stackRunner,
    stepRecorder,
} from "./support/seedLive";
import { programStack } from "./support/stack";
import { once } from "./support/once";
import { run } from "./support/toolchain";

describe("MeshEgress from a Pulumi YAML program (pulumi package add, real CLI and YAML language host)", function () {
    this.timeout(10 * 60 * 1000);
    const example = languageExample("yaml");
    const packageAdded = once(() =>
        run(example.tools, "pulumi", ["package", "add", PLUGIN], example.env, example.program),
    );
    const stack = once(async () => {
        await packageAdded();
        return programStack(example.tools, example.workHome, example.program, "yaml", example.env);
    });

    before(() => {
        // The example as a user would have it, plus the skip-await annotation the local control plane needs.
        const file = path.join(example.program, "Pulumi.yaml");
        const project = parse(fs.readFileSync(file, "utf8"));
        project.resources.egress.properties.gateway = { annotations: SKIP_AWAIT };
        fs.writeFileSync(file, stringify(project));
    });

    it("pulumi package add of the executable plugin records mesh-egress in Pulumi.yaml and writes its YAML lock", async () => {
        const { program } = example;
        const { stderr } = await packageAdded();
        expect(stderr).to.include("Added package mesh-egress");
        expect(parse(fs.readFileSync(path.join(program, "Pulumi.yaml"), "utf8")).packages).to.deep.equal({
            "mesh-egress": "mesh-egress@0.1.0",
        });
        expect(
            parse(fs.readFileSync(path.join(program, "sdks", "mesh-egress", "mesh-egress-0.1.0.yaml"), "utf8")),
        ).to.deep.equal({
            packageDeclarationVersion: 1,
            name: "mesh-egress",
            version: "0.1.0",
        });
    });

    it("previews the seed scenario's objects and the plugin's mesh config edit as creates", async () => {
        const { steps, onEvent } = stepRecorder();
        await (await stack()).preview({ onEvent });
        expect(steps.sort()).to.deep.equal(pluginSeedCreates());
    });

    itRunsTheSeedLikeTypeScript("YAML", example, stackRunner(stack));
});
