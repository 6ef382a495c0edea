// The seed scenario (aliyun.com over HTTP/80, REGISTRY_ONLY) as it is live on the local control plane, shared by
// the e2e specs that run it from another language and compare with the TypeScript program.
import { Stack } from "@pulumi/pulumi/automation";
import { expect } from "chai";
import { parse } from "yaml";
import { MeshEgressArgs } from "../../../sdk";
import { buildPlan } from "../../../sdk/plan";
import { OWNER_ANNOTATION } from "../../../sdk/plan/manifest";
import { validateArgs } from "../../../sdk/validate";
import { SEED_CHILDREN } from "../../support/seed";
import { Kube } from "./kube";
import { LanguageExample } from "./languageExample";
import { once } from "./once";
import { localStack } from "./stack";
import { Toolchain } from "./toolchain";

// The local control plane runs no pods: skip the provider's readiness awaits, as examples/local does.
export const SKIP_AWAIT = { "pulumi.com/skipAwait": "true" };
const SEED: MeshEgressArgs = { hosts: [{ host: "aliyun.com" }], gateway: { annotations: SKIP_AWAIT } };
const SEED_OBJECTS = buildPlan(validateArgs("egress", SEED)).objects.map((o) => o.manifest);

// In a TypeScript program the mesh config edit is a dynamic resource; in the plugin it is the plugin's own.
const DYNAMIC_EDIT = "pulumi-nodejs:dynamic/mesh-egress:MeshConfigOutboundMode";
const PLUGIN_EDIT = "mesh-egress:index:MeshConfigOutboundMode";

/** "create <type> <name>" for the component and every child it registers through the plugin, sorted. */
export function pluginSeedCreates(): string[] {
    const children = SEED_CHILDREN.map((child) => child.replace(DYNAMIC_EDIT, PLUGIN_EDIT));
    return ["mesh-egress:index:MeshEgress egress", ...children].map((c) => `create ${c}`).sort();
}

/** Collects "<op> <type> <name>" of a preview's resource steps, without the stack and provider resources. */
export function stepRecorder(): { steps: string[]; onEvent: (event: any) => void } {
    const steps: string[] = [];
    const onEvent = (event: any) => {
        const metadata = event.resourcePreEvent?.metadata;
        if (metadata && metadata.type !== "pulumi:pulumi:Stack" && !metadata.type.startsWith("pulumi:providers:")) {
            steps.push(`${metadata.op} ${metadata.type} ${metadata.urn.split("::").pop()}`);
        }
    };
    return { steps, onEvent };
}

/**
 * A live object without what the API server assigns per creation, and with its owner's project and stack left out
 * (`mesh-egress.io/owner` names the program's own: each language's example is a project of its own).
 */
function comparable(live: any): any {
    const { uid, resourceVersion, creationTimestamp, managedFields, generation, ...metadata } = live.metadata;
    const owner = metadata.annotations?.[OWNER_ANNOTATION];
    if (owner) {
        const component = owner.split("/").pop();
        metadata.annotations = { ...metadata.annotations, [OWNER_ANNOTATION]: `<project>/<stack>/${component}` };
    }
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
        const live = await api.read(manifest);
        objects[`${manifest.kind} ${manifest.metadata.name}`] = live && comparable(live);
    }
    objects["mesh config"] = (await api.configMapData("istio-system", "istio"))!.mesh;
    return objects;
}

/** Every planned object of the seed scenario is live with its labels, and Istio objects with exactly the planned spec. */
function expectPlannedObjects(live: Record<string, any>): void {
    for (const manifest of SEED_OBJECTS) {
        const object = live[`${manifest.kind} ${manifest.metadata.name}`];
        expect(object, `${manifest.kind} ${manifest.metadata.name}`).to.not.equal(undefined);
        expect(object.metadata.labels).to.deep.include(manifest.metadata.labels);
        // Istio kinds have no server-side defaults, so their spec must come back exactly as planned.
        if (manifest.apiVersion.includes(".istio.io/")) expect(object.spec, manifest.kind).to.deep.equal(manifest.spec);
    }
}

/** Runs the seed scenario with the TypeScript program (examples/local), reads it back, destroys it. */
async function typescriptSeed(
    tools: Toolchain,
    workHome: string,
    kubeconfigPath: string,
    api: Kube,
): Promise<Record<string, any>> {
    const typescript: Stack = await localStack(tools, workHome, "typescript", { KUBECONFIG: kubeconfigPath });
    await typescript.setAllConfig({ hosts: { value: JSON.stringify(SEED.hosts) } });
    await typescript.up();
    try {
        return await liveSeed(api);
    } finally {
        await typescript.destroy();
    }
}

/** How a spec runs its program from `up` on: through the Automation API's Stack, or through a driver of its own. */
export interface SeedRunner {
    /** Runs `up`; returns the engine's result ("succeeded") and the stack outputs' values. */
    up(): Promise<{ result: string; outputs: Record<string, any> }>;
    /** A preview that must show no changes; throws otherwise. */
    previewNoChanges(): Promise<void>;
    destroy(): Promise<void>;
}

/** The runner for a stack the Automation API drives, created (once) when first needed. */
export function stackRunner(stack: () => Promise<Stack>): SeedRunner {
    return {
        async up() {
            const { summary, outputs } = await (await stack()).up();
            return {
                result: summary.result,
                outputs: Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, o.value])),
            };
        },
        async previewNoChanges() {
            await (await stack()).preview({ expectNoChanges: true });
        },
        async destroy() {
            await (await stack()).destroy();
        },
    };
}

/**
 * The checks, from `up` on, that a seed program in another language must pass exactly as the TypeScript program
 * does: the planned objects, REGISTRY_ONLY through the plugin, the outputs, a no-change preview, a destroy that
 * restores the mesh config, and the same objects and mesh config as the TypeScript program. Grouped by the stack's
 * state; each group's hook brings the stack there, so every test can run on its own.
 */
export function itRunsTheSeedLikeTypeScript(language: string, example: LanguageExample, runner: SeedRunner): void {
    const up = once(async () => {
        const { result, outputs } = await runner.up();
        return { result, outputs, live: await liveSeed(example.api) };
    });
    const destroyed = once(async () => {
        await up();
        await runner.destroy();
        return liveSeed(example.api);
    });

    describe("after up", () => {
        it("up creates the seed scenario's objects with the planned specs", async () => {
            const { result, live } = await up();
            expect(result).to.equal("succeeded");
            expectPlannedObjects(live);
        });

        it("sets REGISTRY_ONLY through the plugin's own resource and leaves every other mesh setting as it was", async () => {
            const mesh = parse((await up()).live["mesh config"]);
            expect(mesh.outboundTrafficPolicy).to.deep.equal({ mode: "REGISTRY_ONLY" });
            delete mesh.outboundTrafficPolicy;
            expect(mesh).to.deep.equal(parse(example.originalMesh));
        });

        it(`exports the component's outputs to the ${language} program`, async () => {
            const { outputs } = await up();
            expect(outputs.gatewayService).to.equal("egress-gateway.istio-system.svc.cluster.local");
            expect(outputs.outboundTrafficPolicy).to.equal("REGISTRY_ONLY");
            expect(outputs.hostObjects["aliyun.com"]).to.include({
                serviceEntry: "egress-aliyun-com",
                gatewayPort: 80,
            });
        });

        it("previews no changes right after up", async () => {
            await up();
            await runner.previewNoChanges();
        });
    });

    describe("after destroy", () => {
        it("destroy removes every object and restores the mesh config byte for byte", async () => {
            const after = await destroyed();
            for (const manifest of SEED_OBJECTS)
                expect(after[`${manifest.kind} ${manifest.metadata.name}`], manifest.kind).to.equal(undefined);
            expect(after["mesh config"]).to.equal(example.originalMesh);
        });

        it("the TypeScript program creates exactly the same Kubernetes objects and mesh config", async () => {
            const { live } = await up();
            await destroyed();
            const { tools, workHome, cluster, api } = example;
            expect(await typescriptSeed(tools, workHome, cluster.kubeconfigPath, api)).to.deep.equal(live);
        });
    });
}
