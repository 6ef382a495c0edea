// Pulumi identities: the engine refuses two resources with one URN, and a child's URN holds its parent's type but not
// the parent's name, so every planned object needs a resource name of its own across namespaces and components.
import { expect } from "chai";
import fc from "fast-check";
import { MeshEgress, MeshEgressArgs } from "../../sdk";
import { EgressPlan, Manifest, buildPlan } from "../../sdk/plan";
import { objectCollector, resourceName } from "../../sdk/plan/collector";
import { MeshEgressArgsError, validateArgs } from "../../sdk/validate";
import { meshEgressCase } from "../support/arbitraries";
import { runProgram } from "../support/mocks";
import { childName } from "../support/planned";

const SEED = 20261206;
const THREE = ["ci", "payments", "shop"];

/** The per-namespace objects over three namespaces: a NetworkPolicy and a Sidecar in each. */
const LOCKED: MeshEgressArgs = {
    hosts: [{ host: "aliyun.com" }],
    antiBypass: { namespaces: THREE },
    outboundTrafficPolicy: { target: "NAMESPACE_SIDECARS", namespaces: THREE },
};
/** The audit over three namespaces (antiBypass is refused with it): a Sidecar and a Telemetry in each. */
const AUDITED: MeshEgressArgs = {
    hosts: [{ host: "aliyun.com" }],
    outboundTrafficPolicy: { mode: "AUDIT", target: "NAMESPACE_SIDECARS", namespaces: THREE },
};

function networkPolicy(namespace: string): Manifest {
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: "egress-egress-only-via-gateway", namespace },
    };
}

/** The Pulumi identities of a plan's objects: type (apiVersion and kind) and resource name. */
function identities(plan: EgressPlan): string[] {
    return plan.objects.map((o) => `${o.manifest.apiVersion} ${o.manifest.kind} ${o.resourceName}`);
}

function acceptedPlan(name: string, args: MeshEgressArgs): EgressPlan | undefined {
    try {
        return buildPlan(validateArgs(name, args));
    } catch (error) {
        if (error instanceof MeshEgressArgsError) return undefined;
        throw error;
    }
}

describe("Pulumi identities of the planned objects", () => {
    it("names each object <component>/<namespace>/<Kubernetes name>", () => {
        expect(resourceName("egress", networkPolicy("ci"))).to.equal("egress/ci/egress-egress-only-via-gateway");
    });

    it("gives the NetworkPolicy, Sidecar and audit Telemetry of each of three namespaces a name of its own", () => {
        const objects = [LOCKED, AUDITED].flatMap((args) => buildPlan(validateArgs("egress", args)).objects);
        const perNamespace = objects
            .filter((o) => ["NetworkPolicy", "Sidecar", "Telemetry"].includes(o.manifest.kind))
            .filter((o) => THREE.includes(o.manifest.metadata.namespace!))
            .map((o) => `${o.manifest.kind} ${o.resourceName}`);
        expect(perNamespace).to.have.members(
            THREE.flatMap((ns) => [
                `NetworkPolicy ${childName("egress-egress-only-via-gateway", ns)}`,
                `Sidecar ${childName("egress-outbound-policy", ns)}`,
                `Sidecar ${childName("egress-outbound-policy", ns)}`,
                `Telemetry ${childName("egress-audit", ns)}`,
            ]),
        );
    });

    it("registers three namespaces' objects without a duplicate URN (the mock monitor refuses one, as the engine does)", async () => {
        for (const args of [LOCKED, AUDITED]) {
            const run = await runProgram(() => new MeshEgress("egress", args), { preview: true });
            const sidecars = run.registrations.filter((r) => r.type === "kubernetes:networking.istio.io/v1:Sidecar");
            expect(sidecars.map((r) => r.inputs.metadata.namespace)).to.have.members(THREE);
        }
    });

    it("refuses, as a bug, a second object with a Pulumi identity already taken", () => {
        // Named by their Kubernetes name alone, as before: unique per namespace only.
        const { add } = objectCollector((manifest) => manifest.metadata.name);
        add(networkPolicy("ci"), "workload", []);
        expect(() => add(networkPolicy("payments"), "workload", [])).to.throw(
            "mesh-egress bug: the shared objects and the shared objects would both name " +
                'Pulumi resource networking.k8s.io/v1 NetworkPolicy "egress-egress-only-via-gateway"',
        );
    });

    it("refuses, as a bug, a second object with a Kubernetes key already taken, naming both owners", () => {
        const { add } = objectCollector((manifest) => resourceName("egress", manifest));
        add(networkPolicy("ci"), "workload", [], "a.com");
        expect(() => add(networkPolicy("ci"), "workload", [], "b.com")).to.throw(
            "mesh-egress bug: host a.com and host b.com would both name NetworkPolicy/ci/egress-egress-only-via-gateway",
        );
    });

    it("gives no two objects of two components with different names one identity, for generated arguments", () => {
        let compared = 0;
        fc.assert(
            fc.property(meshEgressCase, meshEgressCase, (first, second) => {
                fc.pre(first.name !== second.name);
                const plans = [acceptedPlan(first.name, first.args), acceptedPlan(second.name, second.args)];
                if (!plans[0] || !plans[1]) return;
                compared++;
                const all = [...identities(plans[0]), ...identities(plans[1])];
                expect(all.filter((id, i) => all.indexOf(id) !== i)).to.deep.equal([]);
            }),
            { seed: SEED, numRuns: 1500 },
        );
        expect(compared, "pairs of accepted plans compared").to.be.greaterThan(40);
    });
});
