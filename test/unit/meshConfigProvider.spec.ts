// The mesh config resource's lifecycle, against an in-memory ConfigMap with the API server's optimistic concurrency
// and the real YAML editing.
import { expect } from "chai";
import { readOutboundMode, withOutboundMode } from "../../sdk/cluster/meshYaml";
import { MAX_ATTEMPTS, OWNER_ANNOTATION } from "../../sdk/cluster/ownership";
import { outboundModeProvider } from "../../sdk/meshConfig/resource";
import { ORIGINAL_MESH, fakeConfigMap } from "../support/fakeConfigMap";

const OWNER = "platform/prod/egress";
const TARGET = { namespace: "istio-system", configMapName: "istio", key: "mesh", owner: OWNER };
const ID = "istio-system/istio/mesh";
const WITH_REGISTRY_ONLY = `${ORIGINAL_MESH}outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n`;

function cluster(mesh?: string | null) {
    const fake = fakeConfigMap(mesh);
    return { fake, provider: outboundModeProvider(() => fake.live) };
}

function record(previous: string | null, owner = OWNER) {
    return JSON.stringify({ owner, key: "mesh", previous });
}

describe("the mesh config outbound-mode resource", () => {
    describe("create", () => {
        it("sets the mode and records the owner and that no mode was set before, in one write", async () => {
            const { fake, provider } = cluster();
            const result = await provider.create({ ...TARGET, mode: "REGISTRY_ONLY" });
            expect(result.id).to.equal(ID);
            expect(result.outs).to.deep.equal({ ...TARGET, mode: "REGISTRY_ONLY", previousMode: "" });
            expect(fake.state!.data.mesh).to.equal(WITH_REGISTRY_ONLY);
            expect(fake.state!.annotations).to.deep.equal({ [OWNER_ANNOTATION]: record(null) });
            expect(fake.writes).to.equal(1);
        });

        it("run again after an interrupted create, keeps the original mode the record holds", async () => {
            const { fake, provider } = cluster("outboundTrafficPolicy:\n  mode: ALLOW_ANY\n");
            await provider.create({ ...TARGET, mode: "REGISTRY_ONLY" });
            // Pulumi never recorded that create: the next run creates again, over a live REGISTRY_ONLY.
            const again = await provider.create({ ...TARGET, mode: "REGISTRY_ONLY" });
            expect(again.outs.previousMode).to.equal("ALLOW_ANY");
            await provider.delete!(ID, again.outs);
            expect(fake.state!.data.mesh).to.equal("outboundTrafficPolicy:\n  mode: ALLOW_ANY\n");
            expect(fake.state!.annotations).to.deep.equal({});
        });

        it("refuses a mesh config another MeshEgress owns, naming it and how to release it", async () => {
            const { fake, provider } = cluster();
            fake.state!.annotations[OWNER_ANNOTATION] = record(null, "platform/staging/egress");
            let error: Error | undefined;
            await provider.create({ ...TARGET, mode: "REGISTRY_ONLY" }).catch((e: Error) => (error = e));
            expect(error?.message).to.equal(
                "ConfigMap istio-system/istio at https://fake: outboundTrafficPolicy.mode is already managed by " +
                    `another MeshEgress (platform/staging/egress, annotation ${OWNER_ANNOTATION}); a mesh config has ` +
                    "one owner. If that stack is gone, remove the annotation: kubectl annotate configmap -n " +
                    `istio-system istio ${OWNER_ANNOTATION}-`,
            );
            expect(fake.state!.data.mesh).to.equal(ORIGINAL_MESH);
        });

        it("fails with Istio's likely absence when the ConfigMap does not exist", async () => {
            const { provider } = cluster(null);
            let error: Error | undefined;
            await provider.create({ ...TARGET, mode: "REGISTRY_ONLY" }).catch((e: Error) => (error = e));
            expect(error?.message).to.match(
                /^ConfigMap istio-system\/istio at https:\/\/fake does not exist: is Istio installed there/,
            );
        });

        it("re-reads and re-applies the mode on top of another writer's change that got in between", async () => {
            const { fake, provider } = cluster();
            const theirs = ["accessLogFile: /dev/stdout\n", "enableTracing: true\n"];
            fake.meanwhile = () => {
                const next = theirs.shift();
                if (next) fake.writeAsSomeoneElse((s) => (s.data.mesh += next));
            };
            await provider.create({ ...TARGET, mode: "REGISTRY_ONLY" });
            expect(fake.conflicts).to.equal(2);
            expect(fake.state!.data.mesh).to.equal(
                `${ORIGINAL_MESH}accessLogFile: /dev/stdout\nenableTracing: true\noutboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n`,
            );
        });

        it("gives up after a bounded number of conflicts, says what to do and writes nothing", async () => {
            const { fake, provider } = cluster();
            fake.meanwhile = () => fake.writeAsSomeoneElse(() => {});
            let error: Error | undefined;
            await provider.create({ ...TARGET, mode: "REGISTRY_ONLY" }).catch((e: Error) => (error = e));
            expect(error?.message).to.equal(
                `ConfigMap istio-system/istio at https://fake changed ${MAX_ATTEMPTS} times while MeshEgress was ` +
                    "writing outboundTrafficPolicy.mode: another tool keeps writing it. Nothing was written; run the " +
                    "command again once that tool is done",
            );
            expect(fake.conflicts).to.equal(MAX_ATTEMPTS);
            expect(fake.state!.data.mesh).to.equal(ORIGINAL_MESH);
        });
    });

    describe("delete", () => {
        it("restores the original mesh config byte for byte and removes the record", async () => {
            const { fake, provider } = cluster();
            const { outs } = await provider.create({ ...TARGET, mode: "REGISTRY_ONLY" });
            await provider.delete!(ID, outs);
            expect(fake.state!.data.mesh).to.equal(ORIGINAL_MESH);
            expect(fake.state!.annotations).to.deep.equal({});
        });

        it("restores an explicit previous mode", async () => {
            const { fake, provider } = cluster("outboundTrafficPolicy:\n  mode: ALLOW_ANY\n");
            const { outs } = await provider.create({ ...TARGET, mode: "REGISTRY_ONLY" });
            expect(outs.previousMode).to.equal("ALLOW_ANY");
            await provider.delete!(ID, outs);
            expect(fake.state!.data.mesh).to.equal("outboundTrafficPolicy:\n  mode: ALLOW_ANY\n");
        });

        it("leaves a mode that someone else changed since alone, and says so", async () => {
            const { fake, provider } = cluster();
            const { outs } = await provider.create({ ...TARGET, mode: "REGISTRY_ONLY" });
            fake.writeAsSomeoneElse((s) => (s.data.mesh = withOutboundMode(s.data.mesh, "ALLOW_ANY")));
            const warnings = await captureWarnings(() => provider.delete!(ID, outs));
            expect(readOutboundMode(fake.state!.data.mesh)).to.equal("ALLOW_ANY");
            expect(warnings).to.deep.equal([
                "warning: ConfigMap istio-system/istio at https://fake: outboundTrafficPolicy.mode was changed by " +
                    "someone else since MeshEgress set it; their choice stands",
            ]);
        });

        it("completes when Istio was uninstalled first, saying there was nothing to restore", async () => {
            const { fake, provider } = cluster();
            const { outs } = await provider.create({ ...TARGET, mode: "REGISTRY_ONLY" });
            fake.state = undefined;
            const warnings = await captureWarnings(() => provider.delete!(ID, outs));
            expect(warnings).to.deep.equal([
                "warning: ConfigMap istio-system/istio at https://fake is gone (Istio uninstalled?): there is no " +
                    "mesh config to restore",
            ]);
        });

        it("restores the mode a stack from before the ownership record recorded", async () => {
            const { fake, provider } = cluster(WITH_REGISTRY_ONLY);
            await provider.delete!(ID, { ...TARGET, mode: "REGISTRY_ONLY", previousMode: "" });
            expect(fake.state!.data.mesh).to.equal(ORIGINAL_MESH);
        });
    });

    describe("update", () => {
        it("keeps the original previous mode across mode changes", async () => {
            const { fake, provider } = cluster();
            const created = await provider.create({ ...TARGET, mode: "REGISTRY_ONLY" });
            const updated = await provider.update!(ID, created.outs, { ...TARGET, mode: "ALLOW_ANY" });
            expect(updated.outs).to.deep.equal({ ...TARGET, mode: "ALLOW_ANY", previousMode: "" });
            await provider.delete!(ID, updated.outs);
            expect(fake.state!.data.mesh).to.equal(ORIGINAL_MESH);
        });

        it("restores the mode after an Istio upgrade dropped it, keeping the previous mode Pulumi recorded", async () => {
            const { fake, provider } = cluster("outboundTrafficPolicy:\n  mode: ALLOW_ANY\n");
            const created = await provider.create({ ...TARGET, mode: "REGISTRY_ONLY" });
            // The upgrade re-renders the ConfigMap from its chart: mode and record gone.
            fake.writeAsSomeoneElse((s) => {
                s.data.mesh = ORIGINAL_MESH;
                s.annotations = {};
            });
            const updated = await provider.update!(ID, created.outs, { ...TARGET, mode: "REGISTRY_ONLY" });
            expect(updated.outs.previousMode).to.equal("ALLOW_ANY");
            expect(fake.state!.data.mesh).to.equal(WITH_REGISTRY_ONLY);
            expect(fake.state!.annotations).to.deep.equal({ [OWNER_ANNOTATION]: record("ALLOW_ANY") });
        });

        it("moves the record to the owner's new name when the stack or component is renamed", async () => {
            const { fake, provider } = cluster();
            const created = await provider.create({ ...TARGET, mode: "REGISTRY_ONLY" });
            await provider.update!(ID, created.outs, {
                ...TARGET,
                owner: "platform/prod2/egress",
                mode: "REGISTRY_ONLY",
            });
            expect(fake.state!.annotations).to.deep.equal({
                [OWNER_ANNOTATION]: record(null, "platform/prod2/egress"),
            });
        });
    });

    describe("check and diff (what a plain preview shows)", () => {
        it("reports no drift while the live mode is the one MeshEgress set", async () => {
            const { provider } = cluster();
            const { outs } = await provider.create({ ...TARGET, mode: "REGISTRY_ONLY" });
            const { inputs } = await provider.check!(outs, { ...TARGET, mode: "REGISTRY_ONLY" });
            expect(inputs).to.deep.equal({ ...TARGET, mode: "REGISTRY_ONLY" });
            expect(await provider.diff!(ID, outs, inputs)).to.deep.include({ changes: false });
        });

        it("shows a live mode changed outside Pulumi as drift, and diffs it as an update", async () => {
            const { fake, provider } = cluster();
            const { outs } = await provider.create({ ...TARGET, mode: "REGISTRY_ONLY" });
            fake.writeAsSomeoneElse((s) => (s.data.mesh = ORIGINAL_MESH));
            const { inputs } = await provider.check!(outs, { ...TARGET, mode: "REGISTRY_ONLY" });
            expect(inputs.drift).to.equal(
                "live mode is unset, not REGISTRY_ONLY (changed outside Pulumi, e.g. by an Istio upgrade): up sets " +
                    "REGISTRY_ONLY again",
            );
            expect(await provider.diff!(ID, outs, inputs)).to.deep.equal({
                changes: true,
                replaces: [],
                deleteBeforeReplace: true,
            });
        });

        it("shows a removed ownership record as drift", async () => {
            const { fake, provider } = cluster();
            const { outs } = await provider.create({ ...TARGET, mode: "REGISTRY_ONLY" });
            fake.writeAsSomeoneElse((s) => (s.annotations = {}));
            const { inputs } = await provider.check!(outs, { ...TARGET, mode: "REGISTRY_ONLY" });
            expect(inputs.drift).to.equal(
                `the live ConfigMap lost its ${OWNER_ANNOTATION} annotation: up writes it again`,
            );
        });

        it("does not read the cluster for a resource it is about to create", async () => {
            const { fake, provider } = cluster();
            await provider.check!({}, { ...TARGET, mode: "REGISTRY_ONLY" });
            expect(fake.targets).to.deep.equal([]);
        });

        it("diffs a mode change as an update and a different ConfigMap as a replacement", async () => {
            const { provider } = cluster();
            const olds = { ...TARGET, mode: "REGISTRY_ONLY", previousMode: "" };
            expect(await provider.diff!(ID, olds, { ...TARGET, mode: "ALLOW_ANY" })).to.deep.equal({
                changes: true,
                replaces: [],
                deleteBeforeReplace: true,
            });
            expect(
                await provider.diff!(ID, olds, { ...TARGET, configMapName: "istio-canary", mode: "REGISTRY_ONLY" }),
            ).to.deep.include({ changes: true, replaces: ["configMapName"] });
        });
    });

    describe("read (refresh)", () => {
        it("reports a manual change of the mode", async () => {
            const { fake, provider } = cluster();
            const { outs } = await provider.create({ ...TARGET, mode: "REGISTRY_ONLY" });
            fake.writeAsSomeoneElse((s) => (s.data.mesh = withOutboundMode(s.data.mesh, undefined)));
            expect((await provider.read!(ID, outs)).props).to.deep.equal({ ...outs, mode: "" });
        });

        it("reports the resource gone when the ConfigMap is gone", async () => {
            const { fake, provider } = cluster();
            const { outs } = await provider.create({ ...TARGET, mode: "REGISTRY_ONLY" });
            fake.state = undefined;
            expect((await provider.read!(ID, outs)).id).to.equal(undefined);
        });
    });
});

async function captureWarnings(action: () => Promise<unknown>): Promise<string[]> {
    const warnings: string[] = [];
    const original = console.warn;
    console.warn = (message: string) => warnings.push(message);
    try {
        await action();
    } finally {
        console.warn = original;
    }
    return warnings;
}
