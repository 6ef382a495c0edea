// Construction invariants over generated arguments (seeded, test/support/arbitraries.ts): refused arguments register
// no resource at all and name their fields; accepted ones plan objects whose names fit their kinds, uniquely.
import { expect } from "chai";
import fc from "fast-check";
import { MeshEgress, MeshEgressArgs } from "../../sdk";
import { EgressPlan, buildPlan } from "../../sdk/plan";
import { MeshEgressArgsError, validateArgs } from "../../sdk/validate";
import { dns1035LabelProblem, dns1123LabelProblem, labelValueProblem } from "../../sdk/validate/kubernetes";
import { meshEgressCase } from "../support/arbitraries";
import { runProgram } from "../support/mocks";
import { namesItsFields } from "../support/problems";

const SEED = 20261130;

describe("construction invariants over generated arguments", function () {
    this.timeout(120_000);

    it("refused arguments throw MeshEgressArgsError before any resource is registered, the component included", async () => {
        await fc.assert(
            fc.asyncProperty(meshEgressCase, async ({ name, args }) => {
                let refused: unknown;
                try {
                    validateArgs(name, args);
                } catch (error) {
                    refused = error;
                }
                fc.pre(refused !== undefined);
                let thrown: unknown;
                const run = await runProgram(
                    () => {
                        try {
                            new MeshEgress(name, args);
                        } catch (error) {
                            thrown = error;
                        }
                    },
                    { preview: true },
                );
                expect(thrown).to.be.instanceOf(MeshEgressArgsError);
                expect(run.registrations).to.deep.equal([]);
            }),
            { seed: SEED, numRuns: 150 },
        );
    });

    it("every problem names a field of the arguments, and its value when it has one", () => {
        fc.assert(
            fc.property(meshEgressCase, ({ name, args }) => {
                try {
                    validateArgs(name, args);
                } catch (error) {
                    if (!(error instanceof MeshEgressArgsError)) throw error;
                    expect(
                        error.problems.filter((p) => !namesItsFields(p, name, args as MeshEgressArgs)),
                    ).to.deep.equal([]);
                }
            }),
            { seed: SEED, numRuns: 2000 },
        );
    });

    it("accepted arguments create every object naming a credential after the Role and RoleBinding to read it", () => {
        let checked = 0;
        fc.assert(
            fc.property(meshEgressCase, ({ name, args }) => {
                const plan = acceptedPlan(name, args);
                if (!plan) return;
                const readers = plan.objects.filter((o) => ["Role", "RoleBinding"].includes(o.manifest.kind));
                for (const object of plan.objects) {
                    if (!JSON.stringify(object.manifest).includes('"credentialName"')) continue;
                    checked++;
                    const before = dependenciesOf(plan, object.key);
                    // The proxy that reads the Secret is in the object's namespace (each waypoint's, when several).
                    const ownNamespace = readers.filter(
                        (r) => r.manifest.metadata.namespace === object.manifest.metadata.namespace,
                    );
                    expect(
                        ownNamespace.map((r) => r.key).filter((key) => !before.has(key)),
                        `${object.key} may reach istiod before the gateway may read its Secret`,
                    ).to.deep.equal([]);
                }
            }),
            { seed: SEED, numRuns: 2000 },
        );
        expect(checked, "objects naming a credential among the generated plans").to.be.greaterThan(50);
    });

    it("accepted arguments plan uniquely named objects whose names and labels fit their kinds", () => {
        fc.assert(
            fc.property(meshEgressCase, ({ name, args }) => {
                const plan = acceptedPlan(name, args);
                if (!plan) return;
                const keys = plan.objects.map((o) => o.key);
                expect(new Set(keys).size, "duplicate keys").to.equal(keys.length);
                for (const { manifest } of plan.objects) {
                    const rule = manifest.kind === "Service" ? dns1035LabelProblem : dns1123LabelProblem;
                    expect(rule(manifest.metadata.name), `${manifest.kind} ${manifest.metadata.name}`).to.equal(
                        undefined,
                    );
                    for (const value of Object.values(manifest.metadata.labels ?? {})) {
                        expect(labelValueProblem(value), `label ${value}`).to.equal(undefined);
                    }
                }
            }),
            { seed: SEED, numRuns: 2000 },
        );
    });
});

/** The plan of generated arguments, or undefined when validation refuses them. */
function acceptedPlan(name: string, args: unknown): EgressPlan | undefined {
    try {
        return buildPlan(validateArgs(name, args as MeshEgressArgs));
    } catch (error) {
        if (error instanceof MeshEgressArgsError) return undefined;
        throw error;
    }
}

/** Every key an object waits for, directly or through the objects it waits for. */
function dependenciesOf(plan: EgressPlan, key: string): Set<string> {
    const byKey = new Map(plan.objects.map((o) => [o.key, o]));
    const seen = new Set<string>();
    const pending = [...byKey.get(key)!.dependsOn];
    while (pending.length > 0) {
        const next = pending.pop()!;
        if (seen.has(next)) continue;
        seen.add(next);
        pending.push(...byKey.get(next)!.dependsOn);
    }
    return seen;
}
