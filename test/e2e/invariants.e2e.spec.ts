// Invariant B, no half-applied stack: for 1,000 generated argument sets (seeded; test/support/arbitraries.ts), either
// MeshEgress refuses them at construction with a MeshEgressArgsError whose every line names a field of the arguments
// (and the value, when there is one), or every object it plans is accepted by the real kube-apiserver with Istio's
// CRDs (server-side dry run), passes `istioctl validate` (Istio's webhook validation), and `istioctl analyze` finds
// nothing but the documented no-pod findings — on the files of every accepted set, and against the live API server
// for every fourth accepted set, applied for real and removed again. A failure prints fast-check's seed and the shrunk
// arguments.
// (That refused arguments register no resource is test/unit/invariants.spec.ts, under Pulumi's mocks.)
import type * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import fc from "fast-check";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { MeshEgressArgs } from "../../sdk";
import { EgressPlan, Manifest, buildPlan } from "../../sdk/plan";
import { MeshEgressArgsError, validateArgs } from "../../sdk/validate";
import { meshEgressCase } from "../support/arbitraries";
import { namesItsFields } from "../support/problems";
import { LocalCluster, startCluster } from "./support/cluster";
import { Toolchain, run, toolchain } from "./support/toolchain";

const SEED = 20261201;
const RUNS = Number(process.env.MESH_EGRESS_INVARIANT_RUNS ?? 1000);
/** Every how many accepted sets one is applied for real and analyzed against the live API server. */
const LIVE_EVERY = 4;
// istioctl analyze findings that only say no pod runs (the local control plane runs none), DEVELOPMENT.md.
const NO_POD_FINDINGS = ["IST0101", "IST0127", "IST0173", "IST0146", "IST0129"];

/** Whether a finding is about an object whose host a construction warning names, for the same condition. */
function warnedAbout(finding: string, warnings: string[], manifests: Manifest[]): boolean {
    const code = /IST\d{4}/.exec(finding)?.[0];
    if (!code) return false;
    const hosts = manifests
        .filter(
            (m) =>
                finding.includes(`${m.kind} ${m.metadata.namespace}/${m.metadata.name}`) ||
                finding.includes(m.metadata.name),
        )
        .map((m) => m.metadata.annotations?.["mesh-egress.io/host"])
        .filter((host): host is string => host !== undefined);
    return warnings.some((w) => w.includes(code) && hosts.some((host) => w.startsWith(`${host} `)));
}

interface Tally {
    refused: number;
    accepted: number;
    objects: number;
    analyzedLive: number;
}

describe("Invariant B: generated arguments are refused at construction or accepted whole by the real API server", function () {
    this.timeout(40 * 60 * 1000);
    let tools: Toolchain;
    let cluster: LocalCluster;
    let objects: k8s.KubernetesObjectApi;
    let core: k8s.CoreV1Api;
    let workDir: string;
    // Namespace name -> its creation (once, however many dry runs wait for it).
    const namespaces = new Map<string, Promise<unknown>>();

    before(async () => {
        tools = toolchain();
        cluster = startCluster(tools);
        workDir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-invariants-"));
        const client = await import("@kubernetes/client-node");
        const config = new client.KubeConfig();
        config.loadFromString(cluster.kubeconfig);
        objects = client.KubernetesObjectApi.makeApiClient(config);
        core = config.makeApiClient(client.CoreV1Api);
        for (const ns of (await core.listNamespace()).items) namespaces.set(ns.metadata!.name!, Promise.resolve());
    });

    after(() => {
        cluster?.stop();
        if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
    });

    /** A dry run needs the namespace: create the ones generated arguments name (for real; they hold nothing). */
    async function ensureNamespace(name: string): Promise<void> {
        if (!namespaces.has(name)) namespaces.set(name, core.createNamespace({ body: { metadata: { name } } }));
        await namespaces.get(name);
    }

    /** Why the API server refuses a manifest (server-side dry run of a create), or undefined. */
    async function apiServerRefusal(manifest: Manifest): Promise<string | undefined> {
        if (manifest.metadata.namespace) await ensureNamespace(manifest.metadata.namespace);
        try {
            await objects.create(manifest as k8s.KubernetesObject, undefined, "All");
            return undefined;
        } catch (error) {
            const body = (error as { body?: string }).body;
            return `${manifest.kind} ${manifest.metadata.name}: ${body ?? (error as Error).message}`;
        }
    }

    /** Applies the manifests for real, runs istioctl analyze against the API server, and removes them again. */
    async function liveAnalysisFindings(manifests: Manifest[]): Promise<string[]> {
        const created: Manifest[] = [];
        try {
            for (const manifest of manifests) {
                await objects.create(manifest as k8s.KubernetesObject);
                created.push(manifest);
            }
            const analysis = spawnSync(
                "istioctl",
                ["analyze", "--kubeconfig", cluster.kubeconfigPath, "--all-namespaces", "--output", "json"],
                { env: tools.env, encoding: "utf8" },
            );
            // Findings about MeshEgress's objects only (not about the namespaces this test creates for them).
            const origins = new Set(manifests.map((m) => `${m.kind} ${m.metadata.namespace}/${m.metadata.name}`));
            return (JSON.parse(analysis.stdout || "[]") as { code: string; message: string; origin: string }[])
                .filter((message) => origins.has(message.origin) && !NO_POD_FINDINGS.includes(message.code))
                .map((message) => `istioctl analyze (live): ${message.code} ${message.origin}: ${message.message}`);
        } finally {
            for (const manifest of created.reverse()) await objects.delete(manifest as k8s.KubernetesObject);
        }
    }

    /** What istioctl validate and analyze (local files, no cluster) say about the plan's manifests. */
    function istioctlFindings(manifests: Manifest[]): string[] {
        const file = path.join(workDir, "plan.yaml");
        fs.writeFileSync(file, manifests.map((m) => stringify(m, { lineWidth: 0 })).join("---\n"));
        const findings: string[] = [];
        try {
            run(tools, "istioctl", ["validate", "-f", file]);
        } catch (error) {
            findings.push(`istioctl validate: ${(error as Error).message}`);
        }
        // istioctl analyze exits non-zero when it finds anything; its JSON lists what.
        const analysis = spawnSync(
            "istioctl",
            ["analyze", "--use-kube=false", "--all-namespaces", "--output", "json", file],
            {
                env: tools.env,
                encoding: "utf8",
            },
        );
        for (const message of JSON.parse(analysis.stdout || "[]") as {
            code: string;
            message: string;
            origin: string;
        }[]) {
            if (!NO_POD_FINDINGS.includes(message.code))
                findings.push(`istioctl analyze: ${message.code} ${message.origin}: ${message.message}`);
        }
        return findings;
    }

    it(`${RUNS} generated argument sets: each refused with its fields named, or every object accepted by the API server and istioctl`, async () => {
        const tally: Tally = { refused: 0, accepted: 0, objects: 0, analyzedLive: 0 };
        const started = Date.now();
        await fc.assert(
            fc.asyncProperty(meshEgressCase, async ({ name, args }) => {
                let manifests: Manifest[];
                let plan: EgressPlan;
                try {
                    plan = buildPlan(validateArgs(name, args));
                    manifests = plan.objects.map((o) => o.manifest);
                } catch (error) {
                    if (!(error instanceof MeshEgressArgsError)) throw error;
                    tally.refused++;
                    const unnamed = error.problems.filter(
                        (problem) => !namesItsFields(problem, name, args as MeshEgressArgs),
                    );
                    expect(unnamed, "problems that do not name a field of the arguments (and its value)").to.deep.equal(
                        [],
                    );
                    return;
                }
                tally.accepted++;
                tally.objects += manifests.length;
                const refusals = (await Promise.all(manifests.map(apiServerRefusal))).filter((r) => r !== undefined);
                if (refusals.length > 0) throw new Error(`the API server refuses:\n${refusals.join("\n")}`);
                const findings = istioctlFindings(manifests);
                if (tally.accepted % LIVE_EVERY === 0) {
                    tally.analyzedLive++;
                    findings.push(...(await liveAnalysisFindings(manifests)));
                }
                // A finding MeshEgress already warned about at construction, naming the host, is not a surprise.
                const surprises = findings.filter((f) => !warnedAbout(f, plan.warnings, manifests));
                if (surprises.length > 0) throw new Error(`istioctl:\n${surprises.join("\n")}`);
            }),
            { seed: SEED, numRuns: RUNS, interruptAfterTimeLimit: 30 * 60 * 1000, markInterruptAsFailure: true },
        );
        process.stdout.write(
            `        | ${RUNS} sets (seed ${SEED}): ${tally.refused} refused at construction, ${tally.accepted} accepted ` +
                `with ${tally.objects} objects, all taken by the API server and istioctl (${tally.analyzedLive} ` +
                `applied and analyzed live), in ` +
                `${Math.round((Date.now() - started) / 1000)} s\n`,
        );
        expect(tally.refused + tally.accepted).to.be.at.least(RUNS);
        expect(tally.accepted, "too few accepted sets to prove anything").to.be.greaterThan(RUNS / 5);
    });
});
