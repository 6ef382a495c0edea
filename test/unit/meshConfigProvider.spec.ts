// The mesh config resource's lifecycle, against an in-memory ConfigMap that uses the real YAML editing.
import { expect } from "chai";
import { MeshConfigTarget } from "../../sdk/meshConfig/live";
import { readOutboundMode, withOutboundMode } from "../../sdk/meshConfig/meshYaml";
import { LiveMeshConfig, outboundModeProvider } from "../../sdk/meshConfig/resource";

const TARGET = { namespace: "istio-system", configMapName: "istio", key: "mesh" };
const ORIGINAL = "rootNamespace: istio-system\ntrustDomain: cluster.local\n";

function fakeCluster(initial: string | undefined = ORIGINAL) {
    const cluster: { mesh: string | undefined } = { mesh: initial };
    const live: LiveMeshConfig = {
        async readLiveMode(_target: MeshConfigTarget) {
            return cluster.mesh === undefined
                ? { exists: false }
                : { exists: true, mode: readOutboundMode(cluster.mesh) };
        },
        async writeLiveMode(_target: MeshConfigTarget, mode: string | undefined) {
            const previous = readOutboundMode(cluster.mesh!);
            cluster.mesh = withOutboundMode(cluster.mesh!, mode);
            return previous;
        },
    };
    return { cluster, provider: outboundModeProvider(() => live) };
}

describe("the mesh config outbound-mode resource", () => {
    it("sets the mode on create and records that none was set before", async () => {
        const { cluster, provider } = fakeCluster();
        const result = await provider.create!({ ...TARGET, mode: "REGISTRY_ONLY" });
        expect(result.id).to.equal("istio-system/istio/mesh");
        expect(result.outs).to.deep.equal({ ...TARGET, mode: "REGISTRY_ONLY", previousMode: "" });
        expect(cluster.mesh).to.equal(`${ORIGINAL}outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n`);
    });

    it("restores the original mesh config on delete", async () => {
        const { cluster, provider } = fakeCluster();
        const { outs } = await provider.create!({ ...TARGET, mode: "REGISTRY_ONLY" });
        await provider.delete!("istio-system/istio/mesh", outs);
        expect(cluster.mesh).to.equal(ORIGINAL);
    });

    it("restores an explicit previous mode on delete", async () => {
        const { cluster, provider } = fakeCluster("outboundTrafficPolicy:\n  mode: ALLOW_ANY\n");
        const { outs } = await provider.create!({ ...TARGET, mode: "REGISTRY_ONLY" });
        expect(outs.previousMode).to.equal("ALLOW_ANY");
        await provider.delete!("id", outs);
        expect(cluster.mesh).to.equal("outboundTrafficPolicy:\n  mode: ALLOW_ANY\n");
    });

    it("leaves a mode that someone else changed since alone on delete", async () => {
        const { cluster, provider } = fakeCluster();
        const { outs } = await provider.create!({ ...TARGET, mode: "REGISTRY_ONLY" });
        cluster.mesh = withOutboundMode(cluster.mesh!, "ALLOW_ANY");
        await provider.delete!("id", outs);
        expect(readOutboundMode(cluster.mesh!)).to.equal("ALLOW_ANY");
    });

    it("keeps the original previous mode across updates", async () => {
        const { cluster, provider } = fakeCluster();
        const created = await provider.create!({ ...TARGET, mode: "REGISTRY_ONLY" });
        const updated = await provider.update!("id", created.outs, { ...TARGET, mode: "ALLOW_ANY" });
        expect(updated.outs).to.deep.equal({ ...TARGET, mode: "ALLOW_ANY", previousMode: "" });
        await provider.delete!("id", updated.outs);
        expect(cluster.mesh).to.equal(ORIGINAL);
    });

    it("reports a manual change of the mode as drift on refresh", async () => {
        const { cluster, provider } = fakeCluster();
        const { outs } = await provider.create!({ ...TARGET, mode: "REGISTRY_ONLY" });
        cluster.mesh = withOutboundMode(cluster.mesh!, undefined);
        expect((await provider.read!("id", outs)).props).to.deep.equal({ ...outs, mode: "" });
    });

    it("reports the resource gone when the ConfigMap is gone", async () => {
        const { cluster, provider } = fakeCluster();
        const { outs } = await provider.create!({ ...TARGET, mode: "REGISTRY_ONLY" });
        cluster.mesh = undefined;
        expect((await provider.read!("id", outs)).id).to.equal(undefined);
    });

    it("diffs a mode change as an update and a different ConfigMap as a replacement", async () => {
        const { provider } = fakeCluster();
        const olds = { ...TARGET, mode: "REGISTRY_ONLY", previousMode: "" };
        expect(await provider.diff!("id", olds, { ...TARGET, mode: "REGISTRY_ONLY" })).to.deep.equal({
            changes: false,
            replaces: [],
            deleteBeforeReplace: true,
        });
        expect(await provider.diff!("id", olds, { ...TARGET, mode: "ALLOW_ANY" })).to.deep.include({
            changes: true,
            replaces: [],
        });
        expect(
            await provider.diff!("id", olds, { ...TARGET, configMapName: "istio-canary", mode: "REGISTRY_ONLY" }),
        ).to.deep.include({
            changes: true,
            replaces: ["configMapName"],
        });
    });
});
