// Invariant C, the real engine takes what MeshEgress plans: the argument sets of the invariant suites (generated,
// seeded: test/support/arbitraries.ts) and the data-plane proof's fixed scenarios go through a real `pulumi preview`
// by the Pulumi CLI, its Node.js language host and the Kubernetes provider, many components per program (objects
// rendered to files; the mesh config check reads the local API server). Each accepted set must preview exactly its
// planned resources, all creates, every one under a URN of its own — the engine refuses a duplicate URN, which
// Pulumi's mocks never check. Refused sets fail the preview with their message and register nothing. A sample of the
// accepted sets goes up on the local control plane, is found as planned, previews no change and is destroyed.
import { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { expect } from "chai";
import fc from "fast-check";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { MeshEgressArgs } from "../../sdk";
import { EgressPlan, Manifest, buildPlan } from "../../sdk/plan";
import { driftedFields } from "../../sdk/plan/drift";
import { MeshEgressArgsError, validateArgs } from "../../sdk/validate";
import { SCENARIOS } from "../dataplane/export-plan";
import { meshEgressCase } from "../support/arbitraries";
import { LocalCluster, startCluster } from "./support/cluster";
import { Kube, kube } from "./support/kube";
import { scratchStack } from "./support/scratchProject";
import { REPO, Toolchain, run, toolchain } from "./support/toolchain";

const SEED = 20261206;
const RUNS = Number(process.env.MESH_EGRESS_ENGINE_RUNS ?? 1000);
/** Components per program: about 900 objects, a preview of some twenty seconds. */
const PER_PROGRAM = 60;
/** Refused sets previewed one per program (each preview fails at its one component). */
const REFUSED_PREVIEWS = 3;
/** Accepted sets that go up and are destroyed, per data plane and routing API. */
const UPS_PER_FLAVOUR = 2;
const PROGRAM = path.join(REPO, "test", "e2e", "programs", "components");
const COMPONENT = "mesh-egress:index:MeshEgress";

interface Case {
    name: string;
    args: MeshEgressArgs;
}

interface Planned extends Case {
    plan: EgressPlan;
}

function planOf({ name, args }: Case): Planned | undefined {
    try {
        return { name, args, plan: buildPlan(validateArgs(name, args)) };
    } catch (error) {
        if (error instanceof MeshEgressArgsError) return undefined;
        throw error;
    }
}

/**
 * Components of one program need distinct names (their own URNs): a name already taken becomes `<name>-<k>`, and the
 * set is dropped if that name is refused (a name at the length limit). Returns the programs and how many dropped.
 */
function programsOf(cases: Planned[]): { programs: Planned[][]; dropped: number } {
    const taken = new Set<string>();
    const named: Planned[] = [];
    let dropped = 0;
    for (const c of cases) {
        let name = c.name;
        for (let k = 1; taken.has(name); k++) name = `${c.name}-${k}`;
        const planned = name === c.name ? c : planOf({ name, args: c.args });
        taken.add(name);
        if (planned) named.push(planned);
        else dropped++;
    }
    const programs: Planned[][] = [];
    for (let i = 0; i < named.length; i += PER_PROGRAM) programs.push(named.slice(i, i + PER_PROGRAM));
    return { programs, dropped };
}

/** The engine's type token of a planned object: the provider's class token, or a custom resource's. */
function typeOf(manifest: Manifest): string {
    const group = manifest.apiVersion.includes("/") ? manifest.apiVersion : `core/${manifest.apiVersion}`;
    return `kubernetes:${group}:${manifest.kind}`;
}

/** "<op> <urn>" of every resource a component and its children should preview, from its plan. */
function plannedSteps(stack: Stack, project: string, c: Planned): string[] {
    const urn = (type: string, name: string) => `urn:pulumi:${stack.name}::${project}::${type}::${name}`;
    const children = c.plan.objects.map((o) => urn(`${COMPONENT}$${typeOf(o.manifest)}`, o.resourceName));
    if (c.plan.meshConfigEdit) {
        const edit = `${COMPONENT}$pulumi-nodejs:dynamic/mesh-egress:MeshConfigOutboundMode`;
        children.push(urn(edit, `${c.name}-outbound-policy`));
    }
    return [urn(COMPONENT, c.name), ...children].map((u) => `create ${u}`);
}

/** What a preview did: "<op> <urn>" of every non-Pulumi resource, and its warnings. */
interface Previewed {
    steps: string[];
    warnings: string[];
    error?: string;
}

async function previewOf(stack: Stack): Promise<Previewed> {
    const steps: string[] = [];
    const warnings: string[] = [];
    const onEvent = (event: EngineEvent) => {
        const metadata = event.resourcePreEvent?.metadata;
        if (metadata && !metadata.type.startsWith("pulumi:")) steps.push(`${metadata.op} ${metadata.urn}`);
        const diagnostic = event.diagnosticEvent;
        if (diagnostic?.severity === "warning") warnings.push(diagnostic.message);
    };
    try {
        await stack.preview({ onEvent });
        return { steps, warnings };
    } catch (error) {
        return { steps, warnings, error: (error as Error).message };
    }
}

/** The engine's distinct error lines of a failed command, for the test's message. */
function errorLines(output: string | undefined): string {
    const lines = (output ?? "").split("\n").filter((line) => /\berror: /.test(line));
    return [...new Set(lines.map((line) => line.trim()))].slice(0, 5).join("\n");
}

/** The project name scratchStack gives the program. */
const PROJECT = `mesh-egress-${path.basename(PROGRAM)}`;

describe("Invariant C: the real engine previews every accepted argument set, many components per program", function () {
    this.timeout(40 * 60 * 1000);
    let tools: Toolchain;
    let cluster: LocalCluster;
    let api: Kube;
    let workHome: string;
    let renderEnv: Record<string, string>;
    const accepted: Planned[] = [];
    const refused: Case[] = [];

    /** A stack of the components program over `cases`, rendered unless `live`. */
    async function componentsStack(stackName: string, cases: Case[], live: boolean): Promise<Stack> {
        const casesFile = path.join(workHome, `${stackName}.json`);
        fs.writeFileSync(casesFile, JSON.stringify(cases.map(({ name, args }) => ({ name, args }))));
        const env = live ? { KUBECONFIG: cluster.kubeconfigPath, PULUMI_NODEJS_TRANSPILE_ONLY: "true" } : renderEnv;
        const stack = await scratchStack(tools, workHome, PROGRAM, stackName, env);
        await stack.setConfig("cases", { value: casesFile });
        if (!live) await stack.setConfig("renderDir", { value: path.join(workHome, "rendered", stackName) });
        return stack;
    }

    before(async () => {
        tools = toolchain();
        workHome = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-engine-"));
        cluster = startCluster(tools);
        api = await kube(cluster.kubeconfig);
        // Render mode refuses a kubeconfig next to renderYamlToDirectory, and $KUBECONFIG would be one: the mesh
        // config check finds the local API server in ~/.kube/config instead, as a user's workstation would.
        const home = path.join(workHome, "home");
        fs.mkdirSync(path.join(home, ".kube"), { recursive: true });
        fs.copyFileSync(cluster.kubeconfigPath, path.join(home, ".kube", "config"));
        const noKubeconfig = { KUBECONFIG: "" };
        renderEnv = {
            ...noKubeconfig,
            HOME: home,
            PULUMI_NODEJS_TRANSPILE_ONLY: "true",
            PULUMI_SKIP_CHECKPOINTS: "true",
        };
        const generated = fc.sample(meshEgressCase, { seed: SEED, numRuns: RUNS });
        for (const c of [...Object.values(SCENARIOS), ...generated]) {
            const planned = planOf(c);
            if (planned) accepted.push(planned);
            else refused.push(c);
        }
    });

    after(() => {
        cluster?.stop();
        if (workHome) fs.rmSync(workHome, { recursive: true, force: true });
    });

    it(`${RUNS} generated sets and the fixed scenarios: each accepted one previews exactly its planned resources, each under a URN of its own`, async () => {
        const started = Date.now();
        const { programs, dropped } = programsOf(accepted);
        let components = 0;
        let resources = 0;
        for (const [i, cases] of programs.entries()) {
            const stack = await componentsStack(`program-${i}`, cases, false);
            const previewed = await previewOf(stack);
            const where = `program ${i} (${workHome}/program-${i}.json)`;
            expect(previewed.error, `${where}: the preview failed: ${errorLines(previewed.error)}`).to.equal(undefined);
            const planned = cases.flatMap((c) => plannedSteps(stack, PROJECT, c));
            expect(new Set(planned).size, `${where}: two planned resources share a URN`).to.equal(planned.length);
            expect(previewed.steps.sort(), where).to.deep.equal(planned.sort());
            expect(previewed.warnings.filter((w) => w.includes("expected to have version"))).to.deep.equal([]);
            components += cases.length;
            resources += planned.length;
        }
        process.stdout.write(
            `        | ${RUNS} sets (seed ${SEED}) and ${Object.keys(SCENARIOS).length} scenarios: ${accepted.length} ` +
                `accepted; ${components} components (${dropped} dropped for a name) in ${programs.length} programs, ` +
                `${resources} resources previewed by the engine in ${Math.round((Date.now() - started) / 1000)} s\n`,
        );
        expect(components, "components previewed").to.be.greaterThan(accepted.length * 0.9);
    });

    it("refused sets fail the real preview with the component's message and register nothing", async () => {
        for (const [i, c] of refused.slice(0, REFUSED_PREVIEWS).entries()) {
            let message = "";
            try {
                validateArgs(c.name, c.args);
            } catch (error) {
                message = (error as Error).message;
            }
            const previewed = await previewOf(await componentsStack(`refused-${i}`, [c], false));
            expect(previewed.error, c.name).to.include(message.split("\n")[1]);
            expect(previewed.steps, c.name).to.deep.equal([]);
        }
    });

    /** Creates what the cluster of a user of these arguments has: the namespaces, an existing gateway's Service. */
    function prepareCluster({ plan }: Planned): void {
        const kubectl = (...args: string[]) => run(tools, "kubectl", ["--kubeconfig", cluster.kubeconfigPath, ...args]);
        const namespaces = new Set(plan.objects.map((o) => o.manifest.metadata.namespace!));
        if (plan.boundService) namespaces.add(plan.boundService.namespace);
        for (const namespace of namespaces) {
            if (kubectl("get", "namespace", namespace, "--ignore-not-found", "-o", "name").stdout.trim() === "") {
                kubectl("create", "namespace", namespace);
            }
        }
        const bound = plan.boundService;
        if (!bound) return;
        const service = {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: bound.name, namespace: bound.namespace },
            spec: {
                selector: { istio: "egressgateway" },
                ports: bound.ports.map((p) => ({ name: p.name, port: p.number, targetPort: p.targetPort })),
            },
        };
        const file = path.join(workHome, `${bound.namespace}-${bound.name}.json`);
        fs.writeFileSync(file, JSON.stringify(service));
        kubectl("apply", "--server-side", "--force-conflicts", "-f", file);
    }

    /** The local control plane runs no pods: the provider must not wait for the gateway's rollout. */
    function withoutAwaits(args: MeshEgressArgs): MeshEgressArgs {
        if (args.existingGateway) return args;
        const annotations = { ...args.gateway?.annotations, "pulumi.com/skipAwait": "true" };
        return { ...args, gateway: { ...args.gateway, annotations } };
    }

    it(`a sample of ${UPS_PER_FLAVOUR} accepted sets per data plane and routing API goes up, is as planned, previews no change and is destroyed`, async () => {
        const flavour = (c: Planned) => `${c.args.dataplane ?? "SIDECAR"}/${c.args.routingApi ?? "ISTIO"}`;
        const sample = ["SIDECAR/ISTIO", "SIDECAR/GATEWAY_API", "AMBIENT/ISTIO"].flatMap((wanted) =>
            accepted
                .filter((c) => c.plan.objects.length > 0 && flavour(c) === wanted)
                .map((c) => planOf({ name: c.name, args: withoutAwaits(c.args) }))
                .filter((c): c is Planned => c !== undefined)
                .slice(0, UPS_PER_FLAVOUR),
        );
        expect(sample).to.have.length(3 * UPS_PER_FLAVOUR);
        const originalMesh = (await api.configMapData("istio-system", "istio"))!.mesh;
        for (const [i, c] of sample.entries()) {
            const label = `${flavour(c)} ${c.name}: ${JSON.stringify(c.args)}`;
            prepareCluster(c);
            const stack = await componentsStack(`up-${i}`, [c], true);
            try {
                expect((await stack.up()).summary.result, label).to.equal("succeeded");
                for (const { manifest } of c.plan.objects) {
                    const live = await api.read(manifest);
                    expect(live, `${label}: ${manifest.kind} ${manifest.metadata.name}`).to.not.equal(undefined);
                    expect(driftedFields(manifest, live), `${label}: ${manifest.kind}`).to.deep.equal([]);
                }
                await stack.preview({ expectNoChanges: true });
            } finally {
                await stack.destroy();
            }
            for (const { manifest } of c.plan.objects) {
                expect(await api.read(manifest), `${label}: ${manifest.kind} ${manifest.metadata.name}`).to.equal(
                    undefined,
                );
            }
            expect((await api.configMapData("istio-system", "istio"))!.mesh, label).to.equal(originalMesh);
        }
    });
});
