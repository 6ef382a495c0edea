// MeshEgress from a Pulumi YAML program, end to end on real parts: `pulumi package add` of mesh-egress's executable
// plugin, the Pulumi CLI with the YAML language host, the plugin constructing MeshEgress (and serving its mesh config
// edit), the Kubernetes provider and a local kube-apiserver. The TypeScript program must produce the same objects.
import { Stack } from "@pulumi/pulumi/automation";
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { MeshEgressArgs } from "../../sdk";
import { buildPlan } from "../../sdk/plan";
import { validateArgs } from "../../sdk/validate";
import { LocalCluster, startCluster } from "./support/cluster";
import { Kube, kube } from "./support/kube";
import { backendEnv, localStack, programStack, removeStackConfigs } from "./support/stack";
import { REPO, Toolchain, run, toolchain } from "./support/toolchain";
import { SEED_CHILDREN } from "../support/seed";

const PLUGIN_DIR = path.join(REPO, "sdk", "provider");
// The local control plane runs no pods: skip the provider's readiness awaits, as examples/local does.
const SKIP_AWAIT = { "pulumi.com/skipAwait": "true" };
const SEED: MeshEgressArgs = { hosts: [{ host: "aliyun.com" }], gateway: { annotations: SKIP_AWAIT } };
// In a TypeScript program the mesh config edit is a dynamic resource; in the plugin it is the plugin's own.
const DYNAMIC_EDIT = "pulumi-nodejs:dynamic/mesh-egress:MeshConfigOutboundMode";
const SEED_OBJECTS = buildPlan(validateArgs("egress", SEED)).objects.map((o) => o.manifest);

/** A live object without what the API server assigns per creation. */
function comparable(live: any): any {
    const { uid, resourceVersion, creationTimestamp, managedFields, generation, ...metadata } = live.metadata;
    const { status, ...object } = live;
    if (object.kind === "Service") {
        const { clusterIP, clusterIPs, ...spec } = object.spec;
        return { ...object, metadata, spec };
    }
    return { ...object, metadata };
}

/** Every object of the seed scenario as it is live, plus the mesh config, keyed by kind and name. */
async function liveSeed(api: Kube): Promise<Record<string, any>> {
    const objects: Record<string, any> = {};
    for (const manifest of SEED_OBJECTS) {
        const live = await api.get(manifest.apiVersion, manifest.kind, manifest.metadata.namespace!, manifest.metadata.name);
        objects[`${manifest.kind} ${manifest.metadata.name}`] = live && comparable(live);
    }
    objects["mesh config"] = (await api.configMapData("istio-system", "istio"))!.mesh;
    return objects;
}

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
    let fromYaml: Record<string, any>;

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
        const steps: string[] = [];
        await stack.preview({
            onEvent: (event) => {
                const metadata = event.resourcePreEvent?.metadata;
                if (metadata && metadata.type !== "pulumi:pulumi:Stack" && !metadata.type.startsWith("pulumi:providers:")) {
                    steps.push(`${metadata.op} ${metadata.type} ${metadata.urn.split("::").pop()}`);
                }
            },
        });
        const children = SEED_CHILDREN.map((child) => child.replace(DYNAMIC_EDIT, "mesh-egress:index:MeshConfigOutboundMode"));
        expect(steps.sort()).to.deep.equal(["mesh-egress:index:MeshEgress egress", ...children].map((c) => `create ${c}`).sort());
    });

    it("up creates the seed scenario's objects with the planned specs", async () => {
        expect((await stack.up()).summary.result).to.equal("succeeded");
        fromYaml = await liveSeed(api);
        for (const manifest of SEED_OBJECTS) {
            const live = fromYaml[`${manifest.kind} ${manifest.metadata.name}`];
            expect(live, `${manifest.kind} ${manifest.metadata.name}`).to.not.equal(undefined);
            expect(live.metadata.labels).to.deep.include(manifest.metadata.labels);
            // Istio kinds have no server-side defaults, so their spec must come back exactly as planned.
            if (manifest.apiVersion.includes(".istio.io/")) expect(live.spec, manifest.kind).to.deep.equal(manifest.spec);
        }
    });

    it("sets REGISTRY_ONLY through the plugin's own resource and leaves every other mesh setting as it was", () => {
        const mesh = parse(fromYaml["mesh config"]);
        expect(mesh.outboundTrafficPolicy).to.deep.equal({ mode: "REGISTRY_ONLY" });
        delete mesh.outboundTrafficPolicy;
        expect(mesh).to.deep.equal(parse(originalMesh));
    });

    it("exports the component's outputs to the YAML program", async () => {
        const outputs = await stack.outputs();
        expect(outputs.gatewayService.value).to.equal("egress-gateway.istio-system.svc.cluster.local");
        expect(outputs.outboundTrafficPolicy.value).to.equal("REGISTRY_ONLY");
        expect(outputs.hostObjects.value["aliyun.com"]).to.include({ serviceEntry: "egress-aliyun-com", gatewayPort: 80 });
    });

    it("previews no changes right after up", async () => {
        await stack.preview({ expectNoChanges: true });
    });

    it("destroy removes every object and restores the mesh config byte for byte", async () => {
        await stack.destroy();
        const after = await liveSeed(api);
        for (const manifest of SEED_OBJECTS) expect(after[`${manifest.kind} ${manifest.metadata.name}`], manifest.kind).to.equal(undefined);
        expect(after["mesh config"]).to.equal(originalMesh);
    });

    it("the TypeScript program creates exactly the same Kubernetes objects and mesh config", async () => {
        const typescript = await localStack(tools, workHome, "typescript", { KUBECONFIG: cluster.kubeconfigPath });
        await typescript.setAllConfig({ hosts: { value: JSON.stringify(SEED.hosts) } });
        await typescript.up();
        try {
            expect(await liveSeed(api)).to.deep.equal(fromYaml);
        } finally {
            await typescript.destroy();
        }
    });
});
