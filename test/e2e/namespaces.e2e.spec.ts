// Per-namespace objects on the real engine: antiBypass (a NetworkPolicy per namespace), NAMESPACE_SIDECARS (a Sidecar
// per namespace) and AUDIT (a Telemetry per namespace) over three client namespaces go up, are as planned, preview no
// change and are destroyed, in both data planes and both routing APIs; and a stack the previous release deployed with
// one namespace updates in place (every object it made keeps its UID, but the gateway's source policies, which this
// release changed from an ALLOW per host to a DENY per restricted host), as the aliases to the former names promise.
import { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ExternalHost, MeshEgressArgs } from "../../sdk";
import { EgressPlan, buildPlan } from "../../sdk/plan";
import { driftedFields } from "../../sdk/plan/drift";
import { validateArgs } from "../../sdk/validate";
import { childName } from "../support/planned";
import { LocalCluster, startCluster } from "./support/cluster";
import { Kube, kube } from "./support/kube";
import { previousRelease } from "./support/previousRelease";
import { scratchStack } from "./support/scratchProject";
import { LOCAL_PROGRAM } from "./support/stack";
import { Toolchain, run, toolchain } from "./support/toolchain";

const THREE = ["ci", "payments", "shop"];
const HOSTS: ExternalHost[] = [
    { host: "aliyun.com" },
    { host: "api.stripe.com", mode: "TLS_PASSTHROUGH", from: [{ namespace: "payments" }] },
];
/** Every client namespace locked to the gateway, with REGISTRY_ONLY as a Sidecar of its own. */
const locked = (namespaces: string[]): Partial<MeshEgressArgs> => ({
    antiBypass: { namespaces },
    outboundTrafficPolicy: { target: "NAMESPACE_SIDECARS", namespaces },
});
/** The audit over the namespaces: ALLOW_ANY as each namespace's Sidecar, and a Telemetry in each. */
const audited = (namespaces: string[]): Partial<MeshEgressArgs> => ({
    outboundTrafficPolicy: { mode: "AUDIT", target: "NAMESPACE_SIDECARS", namespaces },
});
/**
 * The last commit that landed before Pulumi names were qualified by component and namespace (stop 25, 2026-12-02):
 * it registered every object under its Kubernetes name alone.
 */
const PREVIOUS_RELEASE = "9c6cf8c";
/** Operations an upgrade must not do to a live object. */
const DISRUPTIVE = ["create", "delete", "replace", "create-replacement", "delete-replaced"];

function echo(text: string): void {
    process.stdout.write(text.replace(/^/gm, "        | "));
}

describe("Per-namespace objects over three namespaces on the real engine", function () {
    this.timeout(20 * 60 * 1000);
    let tools: Toolchain;
    let cluster: LocalCluster;
    let api: Kube;
    let workHome: string;

    /** A stack of examples/local (MeshEgress from stack config) against the local control plane. */
    function localStack(name: string, program = LOCAL_PROGRAM): Promise<Stack> {
        const env = { KUBECONFIG: cluster.kubeconfigPath };
        return scratchStack(tools, workHome, program, name, env);
    }

    /** Sets the program's config to `args` (a key left out is removed, so it is the component's default). */
    async function configure(stack: Stack, args: MeshEgressArgs): Promise<void> {
        for (const key of ["hosts", "outboundTrafficPolicy", "antiBypass", "routingApi", "dataplane"] as const) {
            const value = args[key];
            if (value === undefined) await stack.removeConfig(key);
            else await stack.setConfig(key, { value: typeof value === "string" ? value : JSON.stringify(value) });
        }
    }

    /** The plan of the program's component for `args` (examples/local names it "egress" and skips awaits). */
    function planOf(args: MeshEgressArgs): EgressPlan {
        return buildPlan(
            validateArgs("egress", { ...args, gateway: { annotations: { "pulumi.com/skipAwait": "true" } } }),
        );
    }

    async function expectAsPlanned(plan: EgressPlan): Promise<void> {
        for (const { manifest } of plan.objects) {
            const live = await api.read(manifest);
            const what = `${manifest.kind} ${manifest.metadata.namespace}/${manifest.metadata.name}`;
            expect(live, what).to.not.equal(undefined);
            expect(driftedFields(manifest, live), what).to.deep.equal([]);
        }
    }

    async function expectGone(plan: EgressPlan): Promise<void> {
        for (const { manifest } of plan.objects) {
            const what = `${manifest.kind} ${manifest.metadata.namespace}/${manifest.metadata.name}`;
            expect(await api.read(manifest), what).to.equal(undefined);
        }
    }

    /**
     * Each live object's UID, by key, of the plan's objects the previous release made too: all but the gateway's
     * source policies (the previous release had an ALLOW per host, this one a DENY per host with `from`).
     */
    async function uids(plan: EgressPlan): Promise<Record<string, string>> {
        const found: Record<string, string> = {};
        for (const { key, manifest } of plan.objects.filter((o) => o.manifest.kind !== "AuthorizationPolicy")) {
            found[key] = (await api.read(manifest))?.metadata.uid;
        }
        return found;
    }

    /** "<op> <type> <name>" of every step a preview takes but "same", or the preview's error. */
    async function previewSteps(stack: Stack): Promise<{ steps: string[]; error?: string }> {
        const steps: string[] = [];
        const onEvent = (event: EngineEvent) => {
            const metadata = event.resourcePreEvent?.metadata;
            if (!metadata || metadata.op === "same" || metadata.type.startsWith("pulumi:")) return;
            steps.push(`${metadata.op} ${metadata.type} ${metadata.urn.split("::").pop()}`);
        };
        try {
            await stack.preview({ onEvent });
            return { steps: steps.sort() };
        } catch (error) {
            return { steps: steps.sort(), error: (error as Error).message };
        }
    }

    before(async () => {
        tools = toolchain();
        workHome = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-namespaces-"));
        cluster = startCluster(tools);
        api = await kube(cluster.kubeconfig);
        for (const namespace of THREE) {
            run(tools, "kubectl", ["--kubeconfig", cluster.kubeconfigPath, "create", "namespace", namespace]);
        }
    });

    after(() => {
        cluster?.stop();
        if (workHome) fs.rmSync(workHome, { recursive: true, force: true });
    });

    const FLAVOURS: { title: string; args: MeshEgressArgs; audit: boolean }[] = [
        { title: "sidecars, Istio routes", args: { hosts: HOSTS }, audit: true },
        { title: "sidecars, Gateway API routes", args: { hosts: HOSTS, routingApi: "GATEWAY_API" }, audit: true },
        // ztunnel keeps no access log of its own: AUDIT is refused under AMBIENT.
        { title: "ambient", args: { hosts: HOSTS, dataplane: "AMBIENT" }, audit: false },
    ];
    for (const { title, args, audit } of FLAVOURS) {
        it(`antiBypass and NAMESPACE_SIDECARS${audit ? ", then AUDIT," : ""} over three namespaces go up as planned, preview no change and are destroyed (${title})`, async () => {
            const stack = await localStack(`three-${title.replace(/\W+/g, "-")}`);
            const phases = [{ ...args, ...locked(THREE) }, ...(audit ? [{ ...args, ...audited(THREE) }] : [])];
            try {
                for (const phase of phases) {
                    await configure(stack, phase);
                    expect((await stack.up({ onOutput: echo })).summary.result).to.equal("succeeded");
                    await expectAsPlanned(planOf(phase));
                    await stack.preview({ expectNoChanges: true });
                }
            } finally {
                await stack.destroy({ onOutput: echo });
            }
            for (const phase of phases) await expectGone(planOf(phase));
        });
    }

    describe(`a stack the previous release (${PREVIOUS_RELEASE}) deployed with one namespace`, () => {
        const ONE: MeshEgressArgs = { hosts: HOSTS, ...locked(["ci"]) };
        const TWO: MeshEgressArgs = { hosts: HOSTS, ...locked(["ci", "payments"]) };
        let previousProgram: string;

        before(() => {
            previousProgram = previousRelease(PREVIOUS_RELEASE, path.join(workHome, "previous"));
        });

        /**
         * Deploys ONE with the previous release, then returns the same stack (same project and state) running this
         * release, and each object's UID as the previous release created it.
         */
        async function deployedByPreviousRelease(
            name: string,
        ): Promise<{ stack: Stack; deployed: Record<string, string> }> {
            const previous = await localStack(name, previousProgram);
            await configure(previous, ONE);
            expect((await previous.up({ onOutput: echo })).summary.result).to.equal("succeeded");
            const deployed = await uids(planOf(ONE));
            expect(Object.values(deployed).filter((uid) => !uid)).to.deep.equal([]);
            return { stack: await localStack(name), deployed };
        }

        it("is refused, with nothing changed, when the upgrade also adds a namespace: two objects would claim the one former name", async () => {
            const { stack, deployed } = await deployedByPreviousRelease("upgrade-refused");
            try {
                await configure(stack, TWO);
                const { error } = await previewSteps(stack);
                // The first of the two per-namespace kinds the engine meets, the NetworkPolicy or the Sidecar, of
                // either namespace (the children register concurrently).
                expect(error, error).to.match(
                    new RegExp(
                        "Duplicate resource alias 'urn:pulumi:upgrade-refused::mesh-egress-local::mesh-egress:index:" +
                            "MeshEgress\\$kubernetes:[^:]+:(NetworkPolicy|Sidecar)::egress-(egress-only-via-gateway|" +
                            "outbound-policy)' applied to resource with URN '[^']+::egress/(ci|payments)/",
                    ),
                );
                expect(await uids(planOf(ONE))).to.deep.equal(deployed);
            } finally {
                await configure(stack, ONE);
                await stack.destroy({ onOutput: echo });
            }
        });

        it("updates in place (nothing created, deleted or replaced but the source policies, the DENY made before the ALLOWs go; every other UID kept), then adds a namespace as that namespace's creates only", async () => {
            const { stack, deployed } = await deployedByPreviousRelease("upgrade-in-place");
            try {
                await configure(stack, ONE);
                const { steps, error } = await previewSteps(stack);
                expect(error).to.equal(undefined);
                // The source policies change kind of rule, so they are the only objects made and deleted.
                const policy = "kubernetes:security.istio.io/v1:AuthorizationPolicy";
                const swap = [
                    `create ${policy} ${childName("egress-api-stripe-com---sources")}`,
                    `delete ${policy} egress-aliyun-com`,
                    `delete ${policy} egress-api-stripe-com`,
                ];
                expect(steps.filter((step) => DISRUPTIVE.includes(step.split(" ")[0]))).to.deep.equal(swap);
                const order: string[] = [];
                const onEvent = (event: EngineEvent) => {
                    const metadata = event.resOutputsEvent?.metadata;
                    if (metadata?.type === policy)
                        order.push(`${metadata.op} ${policy} ${metadata.urn.split("::").pop()}`);
                };
                expect((await stack.up({ onOutput: echo, onEvent })).summary.result).to.equal("succeeded");
                // The DENY is in force before the ALLOWs go, so the restricted host is never open to every caller.
                expect(order[0]).to.equal(swap[0]);
                expect([...order].sort()).to.deep.equal(swap);
                expect(await uids(planOf(ONE))).to.deep.equal(deployed);
                await stack.preview({ expectNoChanges: true });

                await configure(stack, TWO);
                expect((await previewSteps(stack)).steps).to.deep.equal(
                    [
                        `create kubernetes:networking.k8s.io/v1:NetworkPolicy ${childName("egress-egress-only-via-gateway", "payments")}`,
                        `create kubernetes:networking.istio.io/v1:Sidecar ${childName("egress-outbound-policy", "payments")}`,
                        "update mesh-egress:index:MeshEgress egress",
                    ].sort(),
                );
                expect((await stack.up({ onOutput: echo })).summary.result).to.equal("succeeded");
                await expectAsPlanned(planOf(TWO));
                expect(await uids(planOf(ONE))).to.deep.equal(deployed);
            } finally {
                await stack.destroy({ onOutput: echo });
            }
        });
    });
});
