// The cluster check's reading of Istio 1.31's serviceEntryVisibility: which namespaces' ServiceEntries it hides.
import { expect } from "chai";
import { readServiceEntryVisibility } from "../../sdk/cluster/meshYaml";
import {
    hiddenServiceEntries,
    resolveVisibility,
    serviceEntryNamespaces,
} from "../../sdk/cluster/serviceEntryVisibility";
import { buildPlan } from "../../sdk/plan";
import { validateArgs } from "../../sdk/validate";

const EGRESS = { "kubernetes.io/metadata.name": "istio-system" };
const PUBLIC_EGRESS = {
    visibility: "PUBLIC",
    matchingRules: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "istio-system" } } }],
};

describe("the cluster check's ServiceEntry visibility (meshConfig.serviceEntryVisibility)", () => {
    it("resolves a namespace by the first policy whose rules all match, else the default, else PUBLIC", () => {
        const config = { defaultVisibility: "NAMESPACE", policies: [PUBLIC_EGRESS] };
        expect(resolveVisibility(config, EGRESS)).to.equal("PUBLIC");
        expect(resolveVisibility(config, { "kubernetes.io/metadata.name": "team-x" })).to.equal("NAMESPACE");
        expect(resolveVisibility({}, EGRESS)).to.equal("PUBLIC");
        expect(resolveVisibility({ defaultVisibility: 1 }, EGRESS)).to.equal("NONE");
    });

    it("matches selectors as Kubernetes does: every label and every expression", () => {
        const policy = (operator: string, values?: string[]) => ({
            defaultVisibility: "NONE",
            policies: [
                {
                    visibility: "PUBLIC",
                    matchingRules: [{ namespaceSelector: { matchExpressions: [{ key: "tier", operator, values }] } }],
                },
            ],
        });
        expect(resolveVisibility(policy("In", ["egress"]), { tier: "egress" })).to.equal("PUBLIC");
        expect(resolveVisibility(policy("In", ["egress"]), {})).to.equal("NONE");
        expect(resolveVisibility(policy("NotIn", ["egress"]), { tier: "apps" })).to.equal("PUBLIC");
        expect(resolveVisibility(policy("NotIn", ["egress"]), { tier: "egress" })).to.equal("NONE");
        expect(resolveVisibility(policy("Exists"), { tier: "" })).to.equal("PUBLIC");
        expect(resolveVisibility(policy("DoesNotExist"), { tier: "" })).to.equal("NONE");
    });

    it("refuses an ambient plan whose ServiceEntries' namespace resolves to NAMESPACE, naming the fix", () => {
        const plan = buildPlan(
            validateArgs("egress", {
                dataplane: "AMBIENT",
                hosts: [{ host: "aliyun.com" }],
                antiBypass: { namespaces: ["shop"] },
            }),
        );
        const { namespaces, ambient } = serviceEntryNamespaces(plan.objects);
        expect({ namespaces, ambient }).to.deep.equal({ namespaces: ["istio-system"], ambient: true });
        expect(
            hiddenServiceEntries({ defaultVisibility: "NAMESPACE" }, ambient, new Map([["istio-system", EGRESS]])),
        ).to.equal(
            "the mesh config's serviceEntryVisibility makes MeshEgress's ServiceEntries in namespace istio-system " +
                "NAMESPACE, so no client in another namespace could use the hosts (their traffic would go straight out, " +
                "into the antiBypass NetworkPolicies, instead of to the waypoint). Add a policy that makes that namespace " +
                'PUBLIC, e.g. { visibility: PUBLIC, matchingRules: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ' +
                '"istio-system" } } }] } before the others',
        );
        const scoped = { defaultVisibility: "NAMESPACE", policies: [PUBLIC_EGRESS] };
        expect(hiddenServiceEntries(scoped, ambient, new Map([["istio-system", EGRESS]]))).to.equal(undefined);
    });

    it("leaves sidecar plans alone unless the setting applies to sidecars", () => {
        const plan = buildPlan(validateArgs("egress", { hosts: [{ host: "aliyun.com" }] }));
        const { ambient } = serviceEntryNamespaces(plan.objects);
        const labels = new Map([["istio-system", EGRESS]]);
        expect(ambient).to.equal(false);
        expect(hiddenServiceEntries({ defaultVisibility: "NONE" }, ambient, labels)).to.equal(undefined);
        expect(hiddenServiceEntries({ defaultVisibility: "NONE", applyToSidecars: true }, ambient, labels)).to.include(
            "in namespace istio-system NONE, so no client in another namespace could use the hosts (REGISTRY_ONLY would block them)",
        );
    });

    it("reads the setting from the mesh config", () => {
        expect(readServiceEntryVisibility("serviceEntryVisibility:\n  defaultVisibility: NONE\n")).to.deep.equal({
            defaultVisibility: "NONE",
        });
        expect(readServiceEntryVisibility("outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n")).to.equal(undefined);
    });
});
