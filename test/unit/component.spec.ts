// MeshEgress under Pulumi's mock monitor, in preview and in update: the exact children, their parents, specs,
// dependencies and providers.
import * as k8s from "@pulumi/kubernetes";
import { expect } from "chai";
import { MeshEgress, MeshEgressArgs } from "../../sdk";
import { formerIdentities } from "../../sdk/kinds";
import { buildPlan } from "../../sdk/plan";
import { validateArgs } from "../../sdk/validate";
import { MockRun, Registration, UNKNOWN, runProgram, urnOf } from "../support/mocks";
import { childName } from "../support/planned";
import { SEED_CHILDREN } from "../support/seed";

const COMPONENT_URN = "urn:pulumi:stack::project::mesh-egress:index:MeshEgress::egress";
const SEED: MeshEgressArgs = { hosts: [{ host: "aliyun.com" }] };

function children(run: MockRun): Registration[] {
    return run.registrations.filter((r) => r.type !== "mesh-egress:index:MeshEgress");
}

function byName(run: MockRun, type: string, name: string): Registration {
    const found = run.registrations.find((r) => r.type === type && r.name === name);
    if (!found) throw new Error(`no ${type} ${name}`);
    return found;
}

for (const preview of [true, false]) {
    describe(`MeshEgress under mocks (${preview ? "preview" : "update"})`, () => {
        it("registers exactly the seed scenario's children, all parented to the component", async () => {
            const run = await runProgram(() => new MeshEgress("egress", SEED), { preview });
            expect(children(run).map((r) => `${r.type} ${r.name}`)).to.have.members(SEED_CHILDREN);
            for (const child of children(run)) expect(child.parent, child.name).to.equal(COMPONENT_URN);
        });

        it("passes each planned manifest to its resource, applied with force and recording its owner", async () => {
            const run = await runProgram(() => new MeshEgress("egress", SEED), { preview });
            const plan = buildPlan(validateArgs("egress", SEED));
            for (const object of plan.objects) {
                const { apiVersion, kind } = object.manifest;
                const type =
                    apiVersion.includes(".") && apiVersion.includes("istio")
                        ? `kubernetes:${apiVersion}:${kind}`
                        : run.registrations.find((r) => r.name === object.resourceName && r.type.endsWith(`:${kind}`))!
                              .type;
                const registered = byName(run, type, object.resourceName).inputs;
                const { metadata: registeredMetadata, ...registeredRest } = registered;
                const { metadata: plannedMetadata, ...plannedRest } = object.manifest;
                expect(registeredRest, object.key).to.deep.equal(plannedRest);
                expect(registeredMetadata, object.key).to.deep.equal({
                    ...plannedMetadata,
                    annotations: {
                        ...plannedMetadata.annotations,
                        "mesh-egress.io/owner": "project/stack/egress",
                        "pulumi.com/patchForce": "true",
                    },
                });
            }
        });

        it("has no unknown values in any child's inputs when the arguments are static", async () => {
            const run = await runProgram(() => new MeshEgress("egress", SEED), { preview });
            for (const child of children(run)) {
                const { __provider, ...inputs } = child.inputs;
                expect(JSON.stringify(inputs), child.name).to.not.include(UNKNOWN);
            }
        });

        it("creates each host's VirtualService after its other objects and the gateway Service", async () => {
            const run = await runProgram(() => new MeshEgress("egress", SEED), { preview });
            const vs = byName(run, "kubernetes:networking.istio.io/v1:VirtualService", childName("egress-aliyun-com"));
            const istio = "kubernetes:networking.istio.io/v1";
            expect(vs.dependencies).to.have.members([
                urnOf({ type: `${istio}:ServiceEntry`, name: childName("egress-aliyun-com") }),
                urnOf({ type: `${istio}:ServiceEntry`, name: childName("egress-aliyun-com---hop") }),
                urnOf({ type: `${istio}:DestinationRule`, name: childName("egress-aliyun-com") }),
                urnOf({ type: `${istio}:Gateway`, name: childName("egress-aliyun-com") }),
                urnOf({ type: "kubernetes:core/v1:Service", name: childName("egress-gateway") }),
            ]);
        });

        it("sets the outbound policy only after every other child exists", async () => {
            const run = await runProgram(
                () =>
                    new MeshEgress("egress", {
                        hosts: [{ host: "aliyun.com" }, { host: "b.com", mode: "TLS_PASSTHROUGH" }],
                    }),
                { preview },
            );
            const policy = byName(
                run,
                "pulumi-nodejs:dynamic/mesh-egress:MeshConfigOutboundMode",
                "egress-outbound-policy",
            );
            const others = children(run)
                .filter((r) => r !== policy)
                .map((r) => urnOf(r));
            expect(policy.dependencies).to.have.members(others);
            expect(policy.inputs).to.include({
                namespace: "istio-system",
                configMapName: "istio",
                key: "mesh",
                mode: "REGISTRY_ONLY",
            });
        });

        it("makes the root-namespace Sidecar depend on every other child", async () => {
            const run = await runProgram(
                () =>
                    new MeshEgress("egress", { ...SEED, outboundTrafficPolicy: { target: "ROOT_NAMESPACE_SIDECAR" } }),
                { preview },
            );
            const sidecar = byName(
                run,
                "kubernetes:networking.istio.io/v1:Sidecar",
                childName("egress-outbound-policy"),
            );
            const others = children(run)
                .filter((r) => r !== sidecar)
                .map((r) => urnOf(r));
            expect(sidecar.dependencies).to.have.members(others);
        });

        it("sends Istio objects through the Istio cluster's provider and the workload through the component's", async () => {
            const run = await runProgram(
                () => {
                    const workloadCluster = new k8s.Provider("workload", { kubeconfig: "workload-kubeconfig" });
                    new MeshEgress(
                        "egress",
                        { ...SEED, istioCluster: { kubeconfig: "asm-kubeconfig", context: "asm" } },
                        { providers: { kubernetes: workloadCluster } },
                    );
                },
                { preview },
            );
            const istioProvider = byName(run, "pulumi:providers:kubernetes", "egress-istio");
            expect(istioProvider.parent).to.equal(COMPONENT_URN);
            expect(istioProvider.inputs.context).to.equal("asm");
            for (const child of children(run).filter((r) => r.type.startsWith("kubernetes:"))) {
                const expected = child.type.includes("istio.io") ? "egress-istio" : "::workload::";
                expect(child.provider, `${child.type} ${child.name}`).to.include(expected);
            }
        });

        it("warns when REGISTRY_ONLY is set with no hosts", async () => {
            const run = await runProgram(() => new MeshEgress("egress", { hosts: [] }), { preview });
            expect(run.warnings).to.deep.equal([
                "outboundTrafficPolicy.mode is REGISTRY_ONLY and no hosts are declared: every external host will be " +
                    "blocked for the whole mesh",
            ]);
        });

        it("warns that the mesh config edit does not use an explicit provider's kubeconfig", async () => {
            const run = await runProgram(
                () => {
                    const cluster = new k8s.Provider("cluster", { kubeconfig: "k" });
                    new MeshEgress("egress", SEED, { provider: cluster });
                },
                { preview },
            );
            expect(run.warnings).to.deep.equal([
                "the mesh config is edited with $KUBECONFIG or ~/.kube/config, not with the provider passed to this " +
                    "component; if that provider uses another kubeconfig, set istioCluster to it",
            ]);
        });

        it("does not warn about provider credentials when given an empty providers map (as a remote construct is)", async () => {
            const run = await runProgram(() => new MeshEgress("egress", SEED, { providers: {} }), { preview });
            expect(run.warnings).to.deep.equal([]);
        });

        it("registers nothing when the arguments are invalid", async () => {
            let error: unknown;
            const run = await runProgram(
                () => {
                    try {
                        new MeshEgress("egress", { hosts: [{ host: "aliyun.com", port: 99999 }] });
                    } catch (e) {
                        error = e;
                    }
                },
                { preview },
            );
            expect((error as Error).message).to.equal(
                'MeshEgress "egress" has invalid arguments:\n' +
                    "  - hosts[0].port: 99999 is not a port number (an integer from 1 to 65535)",
            );
            expect(run.registrations).to.deep.equal([]);
        });

        it("records its own arguments, with the Istio cluster's kubeconfig as a secret", async () => {
            const run = await runProgram(
                () => new MeshEgress("egress", { ...SEED, istioCluster: { kubeconfig: "asm-kubeconfig" } }),
                { preview },
            );
            const component = byName(run, "mesh-egress:index:MeshEgress", "egress");
            expect(component.inputs.hosts).to.deep.equal([{ host: "aliyun.com" }]);
            const { specialSigKey, specialSecretSig } = require("@pulumi/pulumi/runtime/rpc");
            expect(component.inputs.istioCluster).to.deep.equal({
                [specialSigKey]: specialSecretSig,
                value: { kubeconfig: "asm-kubeconfig" },
            });
        });
    });
}

describe("the aliases that keep a deployed stack's identities", () => {
    const planned = (apiVersion: string, kind: string) => ({
        key: `${kind}/ns/x`,
        resourceName: "egress/ns/x",
        cluster: "istio" as const,
        manifest: { apiVersion, kind, metadata: { name: "x", namespace: "ns" } },
        dependsOn: [],
    });

    it("alias an object to its former name, and to the same kind in every other version its group is emitted with", () => {
        expect(formerIdentities(planned("networking.istio.io/v1", "ServiceEntry"))).to.deep.equal([
            { name: "x" },
            { type: "kubernetes:networking.istio.io/v1beta1:ServiceEntry" },
            { type: "kubernetes:networking.istio.io/v1beta1:ServiceEntry", name: "x" },
        ]);
        expect(formerIdentities(planned("telemetry.istio.io/v1alpha1", "Telemetry"))).to.deep.equal([
            { name: "x" },
            { type: "kubernetes:telemetry.istio.io/v1:Telemetry" },
            { type: "kubernetes:telemetry.istio.io/v1:Telemetry", name: "x" },
        ]);
    });

    it("give a kind whose version never changes only its former name", () => {
        expect(formerIdentities(planned("security.istio.io/v1", "AuthorizationPolicy"))).to.deep.equal([{ name: "x" }]);
        expect(formerIdentities(planned("apps/v1", "Deployment"))).to.deep.equal([{ name: "x" }]);
    });
});
