// MeshEgress from a Pulumi YAML program, end to end on real parts: `pulumi package add` of mesh-egress's executable
// plugin, the Pulumi CLI with the YAML language host, the plugin constructing MeshEgress (and serving its mesh config
// edit), the Kubernetes provider and a local kube-apiserver. The TypeScript program must produce the same objects.
import { Stack } from "@pulumi/pulumi/automation";
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { LocalCluster, startCluster } from "./support/cluster";
import { Kube, kube } from "./support/kube";
import { SKIP_AWAIT, itRunsTheSeedLikeTypeScript, pluginSeedCreates, stepRecorder } from "./support/seedLive";
import { backendEnv, programStack, removeStackConfigs } from "./support/stack";
import { REPO, Toolchain, run, toolchain } from "./support/toolchain";

const PLUGIN_DIR = path.join(REPO, "sdk", "provider");

describe("MeshEgress from a Pulumi YAML program (pulumi package add, real CLI and YAML language host)", function () {
    this.timeout(10 * 60 * 1000);
    let tools: Toolchain;
    let cluster: LocalCluster;
    let api: Kube;
    let workHome: string;
    let program: string;
    let env: Record<string, string>;
    let stack: Stack;
    let originalMesh: string;

    before(async () => {
        tools = toolchain();
        workHome = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-yaml-"));
        cluster = startCluster(tools);
        api = await kube(cluster.kubeconfig);
        originalMesh = (await api.configMapData("istio-system", "istio"))!.mesh;
        // The example as a user would have it, plus the skip-await annotation the local control plane needs.
        program = path.join(workHome, "yaml");
        fs.cpSync(path.join(REPO, "examples", "yaml"), program, { recursive: true });
        const project = parse(fs.readFileSync(path.join(program, "Pulumi.yaml"), "utf8"));
        project.resources.egress.properties.gateway = { annotations: SKIP_AWAIT };
        fs.writeFileSync(path.join(program, "Pulumi.yaml"), stringify(project));
        // The engine finds the plugin on PATH, as it does the Kubernetes provider.
        env = { ...backendEnv(workHome), KUBECONFIG: cluster.kubeconfigPath, PATH: `${PLUGIN_DIR}:${tools.env.PATH}` };
    });

    after(() => {
        removeStackConfigs();
        cluster?.stop();
        if (workHome) fs.rmSync(workHome, { recursive: true, force: true });
    });

    it("pulumi package add of the executable plugin records mesh-egress in Pulumi.yaml and writes its YAML lock", () => {
        const plugin = path.join(PLUGIN_DIR, "pulumi-resource-mesh-egress");
        const { stderr } = run(tools, "pulumi", ["package", "add", plugin], env, program);
        expect(stderr).to.include("Added package mesh-egress");
        expect(parse(fs.readFileSync(path.join(program, "Pulumi.yaml"), "utf8")).packages).to.deep.equal({
            "mesh-egress": "mesh-egress@0.1.0",
        });
        expect(parse(fs.readFileSync(path.join(program, "sdks", "mesh-egress", "mesh-egress-0.1.0.yaml"), "utf8"))).to.deep.equal({
            packageDeclarationVersion: 1,
            name: "mesh-egress",
            version: "0.1.0",
        });
    });

    it("previews the seed scenario's objects and the plugin's mesh config edit as creates", async () => {
        stack = await programStack(tools, workHome, program, "yaml", env);
        const { steps, onEvent } = stepRecorder();
        await stack.preview({ onEvent });
        expect(steps.sort()).to.deep.equal(pluginSeedCreates());
    });

    itRunsTheSeedLikeTypeScript("YAML", () => ({
        stack,
        tools,
        workHome,
        kubeconfigPath: cluster.kubeconfigPath,
        api,
        originalMesh,
    }));
});
