// mesh-egress's provider plugin (sdk/provider): how MeshEgress edits the mesh config when constructed inside it, the
// one custom resource it serves, and its entry points (the executable plugin, and the source-based package as
// Pulumi's plugin runner loads it).
import { expect } from "chai";
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { MeshEgress } from "../../sdk";
import { setMeshConfigEditServedByPlugin } from "../../sdk/meshConfig/edit";
import { MeshEgressProvider } from "../../sdk/provider/provider";
import { ORIGINAL_MESH, fakeConfigMap } from "../support/fakeConfigMap";
import { runProgram } from "../support/mocks";
import { SEED_CHILDREN } from "../support/seed";

const REPO = path.join(__dirname, "..", "..");
const EDIT_URN =
    "urn:pulumi:stack::project::mesh-egress:index:MeshEgress$mesh-egress:index:MeshConfigOutboundMode::egress-outbound-policy";
const TARGET = { namespace: "istio-system", configMapName: "istio", key: "mesh", owner: "project/stack/egress" };
const SECRET = (value: string) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value });

describe("MeshEgress constructed inside its provider plugin", () => {
    afterEach(() => setMeshConfigEditServedByPlugin(false));

    it("edits the mesh config with the plugin's own resource, asking for the package's version", async () => {
        setMeshConfigEditServedByPlugin(true);
        const run = await runProgram(() => new MeshEgress("egress", { hosts: [{ host: "aliyun.com" }] }), {
            preview: false,
        });
        const edit = run.registrations.find((r) => r.name === "egress-outbound-policy")!;
        expect(edit).to.deep.include({
            type: "mesh-egress:index:MeshConfigOutboundMode",
            custom: true,
            version: "0.1.0",
        });
        expect(edit.inputs).to.deep.equal({ ...TARGET, mode: "REGISTRY_ONLY" });
    });

    it("registers every other child exactly as in a TypeScript program", async () => {
        setMeshConfigEditServedByPlugin(true);
        const run = await runProgram(() => new MeshEgress("egress", { hosts: [{ host: "aliyun.com" }] }), {
            preview: false,
        });
        const children = run.registrations
            .filter((r) => r.type !== "mesh-egress:index:MeshEgress")
            .map((r) => `${r.type} ${r.name}`);
        const expected = SEED_CHILDREN.map((c) =>
            c.replace(
                "pulumi-nodejs:dynamic/mesh-egress:MeshConfigOutboundMode",
                "mesh-egress:index:MeshConfigOutboundMode",
            ),
        );
        expect(children).to.have.members(expected);
    });
});

describe("the plugin's mesh config resource", () => {
    function fakeCluster() {
        const fake = fakeConfigMap();
        return { fake, provider: new MeshEgressProvider(REPO, () => fake.live) };
    }

    it("sets the mode on create, using the kubeconfig the engine sends as a secret", async () => {
        const { fake, provider } = fakeCluster();
        const created = await provider.create(EDIT_URN, {
            ...TARGET,
            mode: "REGISTRY_ONLY",
            kubeconfig: SECRET("apiVersion: v1"),
        });
        expect(created.id).to.equal("istio-system/istio/mesh");
        expect(fake.state!.data.mesh).to.equal(`${ORIGINAL_MESH}outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n`);
        expect(fake.targets[0].kubeconfig).to.equal("apiVersion: v1");
        expect(created.outs).to.deep.include({ previousMode: "", mode: "REGISTRY_ONLY" });
    });

    it("checks a new edit without a kubeconfig into inputs the engine's wire format can carry", async () => {
        const { provider } = fakeCluster();
        const { inputs } = await provider.check(EDIT_URN, {}, { ...TARGET, mode: "REGISTRY_ONLY" });
        expect(inputs).to.deep.equal({ ...TARGET, mode: "REGISTRY_ONLY" });
        // What the plugin's gRPC server does with them: it throws on a property present as undefined.
        expect(() => Struct.fromJavaScript(inputs)).to.not.throw();
    });

    it("restores the previous mesh config on delete", async () => {
        const { fake, provider } = fakeCluster();
        const created = await provider.create(EDIT_URN, { ...TARGET, mode: "REGISTRY_ONLY" });
        await provider.delete(created.id, EDIT_URN, created.outs);
        expect(fake.state!.data.mesh).to.equal(ORIGINAL_MESH);
    });

    it("shows drift of the live mode in check, keeping the kubeconfig secret", async () => {
        const { fake, provider } = fakeCluster();
        const created = await provider.create(EDIT_URN, { ...TARGET, mode: "REGISTRY_ONLY" });
        fake.writeAsSomeoneElse((s) => (s.data.mesh = ORIGINAL_MESH));
        const news = { ...TARGET, mode: "REGISTRY_ONLY", kubeconfig: SECRET("apiVersion: v1") };
        const { inputs } = await provider.check(EDIT_URN, created.outs, news);
        expect(inputs).to.deep.equal({
            ...news,
            drift:
                "live mode is unset, not REGISTRY_ONLY (changed outside Pulumi, e.g. by an Istio upgrade): up sets " +
                "REGISTRY_ONLY again",
        });
    });

    it("reports a mode change as an update and a new ConfigMap as a replacement", async () => {
        const { provider } = fakeCluster();
        const olds = { ...TARGET, mode: "REGISTRY_ONLY", previousMode: "" };
        expect(await provider.diff("id", EDIT_URN, olds, { ...TARGET, mode: "ALLOW_ANY" })).to.deep.equal({
            changes: true,
            replaces: [],
            deleteBeforeReplace: true,
        });
        expect(
            await provider.diff("id", EDIT_URN, olds, {
                ...TARGET,
                configMapName: "istio-1-30",
                mode: "REGISTRY_ONLY",
            }),
        ).to.deep.equal({
            changes: true,
            replaces: ["configMapName"],
            deleteBeforeReplace: true,
        });
    });

    it("refuses any other resource type", async () => {
        const { provider } = fakeCluster();
        const urn = "urn:pulumi:stack::project::mesh-egress:index:Unknown::x";
        let error: Error | undefined;
        await provider.create(urn, {}).catch((e: Error) => (error = e));
        expect(error?.message).to.equal("mesh-egress serves no resource of type mesh-egress:index:Unknown");
    });
});

/** Starts a plugin process the way Pulumi does (engine address as the last argument) and returns its gRPC port. */
function startPlugin(command: string, args: string[]): Promise<{ port: string; process: ChildProcess }> {
    // Nothing listens at the engine address: serving the schema needs no engine.
    const child = spawn(command, [...args, "127.0.0.1:1"], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (data) => (stderr += data));
    return new Promise((resolve, reject) => {
        child.stdout!.once("data", (data) => resolve({ port: String(data).trim(), process: child }));
        child.once("exit", (code) => reject(new Error(`${command} exited with ${code}: ${stderr}`)));
    });
}

async function servedSchema(command: string, args: string[]): Promise<any> {
    const grpc = require("@grpc/grpc-js");
    const { ResourceProviderClient } = require("@pulumi/pulumi/proto/provider_grpc_pb.js");
    const { GetSchemaRequest } = require("@pulumi/pulumi/proto/provider_pb.js");
    const plugin = await startPlugin(command, args);
    try {
        const client = new ResourceProviderClient(`127.0.0.1:${plugin.port}`, grpc.credentials.createInsecure());
        const response: any = await new Promise((resolve, reject) =>
            client.getSchema(new GetSchemaRequest(), (error: Error | null, reply: unknown) =>
                error ? reject(error) : resolve(reply),
            ),
        );
        client.close();
        return JSON.parse(response.getSchema());
    } finally {
        plugin.process.kill();
    }
}

describe("the package's entry points", function () {
    this.timeout(120_000);
    const snapshot = () => JSON.parse(fs.readFileSync(path.join(__dirname, "schema.snapshot.json"), "utf8"));

    it("the executable plugin serves the package's schema", async () => {
        const schema = await servedSchema(path.join(REPO, "sdk", "provider", "pulumi-resource-mesh-egress"), []);
        expect(schema).to.deep.equal(snapshot());
    });

    it("the executable plugin exits when the engine that started it is killed", async () => {
        const plugin = path.join(REPO, "sdk", "provider", "pulumi-resource-mesh-egress");
        // A stand-in engine: starts the plugin, then dies without stopping it.
        const engine = spawnSync("bash", ["-c", `"${plugin}" 127.0.0.1:1 >/dev/null 2>&1 & echo $!; sleep 3`], {
            encoding: "utf8",
        });
        const pid = Number(engine.stdout.trim());
        const alive = () => {
            try {
                process.kill(pid, 0);
                return true;
            } catch {
                return false;
            }
        };
        const deadline = Date.now() + 10_000;
        while (alive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
        expect(alive(), `plugin ${pid} outlived its engine`).to.equal(false);
    });

    it("the source-based package, loaded by Pulumi's plugin runner, serves the same schema", async () => {
        // What pulumi-language-nodejs does for PulumiPlugin.yaml: `node @pulumi/pulumi/cmd/run-plugin <dir> <engine>`.
        const runPlugin = require.resolve("@pulumi/pulumi/cmd/run-plugin");
        const schema = await servedSchema(process.execPath, [runPlugin, REPO]);
        expect(schema).to.deep.equal(snapshot());
    });

    it("requiring the package by path returns the library and starts nothing", () => {
        const probe = "const m = require(process.argv[1]); console.log(Object.keys(m).sort().join(' '))";
        const result = spawnSync(process.execPath, ["-e", probe, REPO], { encoding: "utf8", timeout: 30_000 });
        expect(result.status, result.stderr).to.equal(0);
        expect(result.stdout.trim()).to.equal(
            "Dataplane EgressMode GatewayHopTls MeshEgress MeshEgressArgsError OutboundPolicyTarget OutboundTrafficPolicyMode RoutingApi",
        );
    });
});
