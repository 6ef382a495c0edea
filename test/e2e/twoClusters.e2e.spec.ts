// Two clusters on real parts: the gateway workload goes to the component's cluster, Istio's objects and the mesh
// config edit to a second one given by `istioCluster` (as with a managed control plane such as ASM), with Istio's
// routes and with Gateway API routes.
import { Stack } from "@pulumi/pulumi/automation";
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { buildPlan } from "../../sdk/plan";
import { validateArgs } from "../../sdk/validate";
import { LocalCluster, startCluster } from "./support/cluster";
import { Kube, kube } from "./support/kube";
import { localStack, removeStackConfigs } from "./support/stack";
import { Toolchain, toolchain } from "./support/toolchain";

const HOSTS = [{ host: "aliyun.com" }];

describe("MeshEgress across two clusters (real Pulumi CLI, two local API servers)", function () {
    this.timeout(10 * 60 * 1000);
    let tools: Toolchain;
    let workload: LocalCluster;
    let istio: LocalCluster;
    let workloadApi: Kube;
    let istioApi: Kube;
    let stack: Stack;
    let workHome: string;
    let istioMesh: string;
    let workloadMesh: string;

    before(async () => {
        tools = toolchain();
        workHome = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-e2e2-"));
        workload = startCluster(tools);
        istio = startCluster(tools);
        workloadApi = await kube(workload.kubeconfig);
        istioApi = await kube(istio.kubeconfig);
        istioMesh = (await istioApi.configMapData("istio-system", "istio"))!.mesh;
        workloadMesh = (await workloadApi.configMapData("istio-system", "istio"))!.mesh;
        stack = await localStack(tools, workHome, "two-clusters", { KUBECONFIG: workload.kubeconfigPath });
        await stack.setAllConfig({
            hosts: { value: JSON.stringify(HOSTS) },
            istioKubeconfig: { value: istio.kubeconfig, secret: true },
        });
    });

    after(async () => {
        removeStackConfigs();
        workload?.stop();
        istio?.stop();
        if (workHome) fs.rmSync(workHome, { recursive: true, force: true });
    });

    // Both routing APIs, one after the other on the same clusters: each leaves nothing behind.
    for (const routingApi of ["ISTIO", "GATEWAY_API"] as const) {
        describe(`routingApi ${routingApi}`, () => {
            const plan = buildPlan(
                validateArgs("egress", { hosts: HOSTS, routingApi, istioCluster: { kubeconfig: "-" } }),
            );

            describe("after up", () => {
                before(async () => {
                    await stack.setConfig("routingApi", { value: routingApi });
                    await stack.up();
                });

                it("puts the gateway workload in the component's cluster and Istio's objects in the Istio cluster", async () => {
                    for (const { cluster, manifest } of plan.objects) {
                        const { apiVersion, kind, metadata } = manifest;
                        const [home, other] = cluster === "istio" ? [istioApi, workloadApi] : [workloadApi, istioApi];
                        expect(
                            await home.get(apiVersion, kind, metadata.namespace!, metadata.name),
                            `${kind} ${metadata.name}`,
                        ).to.not.equal(undefined);
                        expect(
                            await other.get(apiVersion, kind, metadata.namespace!, metadata.name),
                            `${kind} ${metadata.name}`,
                        ).to.equal(undefined);
                    }
                });

                it("sets REGISTRY_ONLY in the Istio cluster's mesh config only", async () => {
                    expect(
                        parse((await istioApi.configMapData("istio-system", "istio"))!.mesh).outboundTrafficPolicy,
                    ).to.deep.equal({
                        mode: "REGISTRY_ONLY",
                    });
                    expect((await workloadApi.configMapData("istio-system", "istio"))!.mesh).to.equal(workloadMesh);
                });

                it("previews no changes after up", async () => {
                    await stack.preview({ expectNoChanges: true });
                });
            });

            describe("after destroy", () => {
                before(async () => {
                    await stack.setConfig("routingApi", { value: routingApi });
                    await stack.up();
                    await stack.destroy();
                });

                it("nothing is left in either cluster, and the Istio cluster's mesh config is as before", async () => {
                    for (const { manifest } of plan.objects) {
                        for (const api of [istioApi, workloadApi]) {
                            expect(await api.read(manifest), `${manifest.kind} ${manifest.metadata.name}`).to.equal(
                                undefined,
                            );
                        }
                    }
                    expect((await istioApi.configMapData("istio-system", "istio"))!.mesh).to.equal(istioMesh);
                });
            });
        });
    }
});
