// What another owner already holds is refused at preview, naming the owner: an object of the plan, a host:port,
// a namespace's namespace-wide Sidecar. The cluster check reads the live objects; here they are given.
import { expect } from "chai";
import { conflicts } from "../../sdk/cluster/conflicts";
import { LiveRead } from "../../sdk/cluster/liveObjects";
import { buildPlan } from "../../sdk/plan";
import { validateArgs } from "../../sdk/validate";

const OWNER = "platform/prod/egress";
const PLAN = buildPlan(
    validateArgs("egress", {
        hosts: [{ host: "api.stripe.com", mode: "TLS_PASSTHROUGH" }],
        outboundTrafficPolicy: { target: "NAMESPACE_SIDECARS", namespaces: ["payments"] },
    }),
);
const ENTRY_KEY = "ServiceEntry/istio-system/egress-api-stripe-com";
const SIDECAR_KEY = "Sidecar/payments/egress-outbound-policy";

function live(objects: Record<string, Record<string, any>> = {}, neighbours: Record<string, any[]> = {}): LiveRead {
    return { objects: new Map(Object.entries(objects)), neighbours: new Map(Object.entries(neighbours)) };
}

function object(name: string, namespace: string, owner?: string, labels: Record<string, string> = {}, spec = {}) {
    return {
        metadata: { name, namespace, labels, annotations: owner ? { "mesh-egress.io/owner": owner } : {} },
        spec,
    };
}

const MESH_EGRESS_LABELS = { "app.kubernetes.io/part-of": "mesh-egress", "mesh-egress.io/instance": "egress" };
const stripe = (owner?: string, labels: Record<string, string> = {}) =>
    object("stripe", "payments", owner, labels, {
        hosts: ["api.stripe.com"],
        location: "MESH_EXTERNAL",
        ports: [{ number: 443, name: "tls", protocol: "TLS" }],
    });

describe("conflicts with what others own, found by the cluster check", () => {
    it("refuses an object of the plan that another stack's MeshEgress owns, naming it", () => {
        const taken = live({ [ENTRY_KEY]: object("egress-api-stripe-com", "istio-system", "team/dev/egress") });
        expect(conflicts(PLAN.objects, taken, [], [], OWNER, "egress")).to.deep.equal([
            "ServiceEntry istio-system/egress-api-stripe-com already exists, owned by MeshEgress team/dev/egress",
        ]);
    });

    it("refuses an object of the plan that was written by hand", () => {
        const taken = live({ [ENTRY_KEY]: object("egress-api-stripe-com", "istio-system") });
        expect(conflicts(PLAN.objects, taken, [], [], OWNER, "egress")).to.deep.equal([
            "ServiceEntry istio-system/egress-api-stripe-com already exists, owned by no MeshEgress (written by hand " +
                "or by another tool)",
        ]);
    });

    it("takes back its own objects, and those an earlier build of the same component wrote before owners were recorded", () => {
        const own = live({
            [ENTRY_KEY]: object("egress-api-stripe-com", "istio-system", OWNER),
            [SIDECAR_KEY]: object("egress-outbound-policy", "payments", undefined, MESH_EGRESS_LABELS),
        });
        expect(conflicts(PLAN.objects, own, [], [], OWNER, "egress")).to.deep.equal([]);
    });

    it("refuses a host:port another owner's ServiceEntry already declares, anywhere in the cluster", () => {
        expect(conflicts(PLAN.objects, live(), [stripe("team/dev/payments")], [], OWNER, "egress")).to.deep.equal([
            "host api.stripe.com:443 is already declared by ServiceEntry payments/stripe, owned by MeshEgress " +
                "team/dev/payments: Istio would keep one of the two ServiceEntries, and with it one owner's routes; " +
                "declare each host once",
        ]);
        expect(conflicts(PLAN.objects, live(), [stripe()], [], OWNER, "egress")).to.have.length(1);
    });

    it("accepts the same host on another port, and its own ServiceEntries", () => {
        const otherPort = { ...stripe(), spec: { ...stripe().spec, ports: [{ number: 8443, name: "tls" }] } };
        expect(conflicts(PLAN.objects, live(), [otherPort, stripe(OWNER)], [], OWNER, "egress")).to.deep.equal([]);
    });

    it("refuses a host under another owner's wildcard on the same port, and a wildcard over another owner's host", () => {
        const wildcard = (host: string, port: number) =>
            object(
                "w",
                "payments",
                "team/dev/payments",
                {},
                {
                    hosts: [host],
                    location: "MESH_EXTERNAL",
                    ports: [{ number: port, protocol: "TLS" }],
                },
            );
        expect(conflicts(PLAN.objects, live(), [wildcard("*.stripe.com", 443)], [], OWNER, "egress")).to.deep.equal([
            "host api.stripe.com:443 overlaps *.stripe.com:443, declared by ServiceEntry payments/w, owned by MeshEgress " +
                "team/dev/payments: on one gateway port a wildcard's source rule also applies to the names under it that " +
                "another owner serves; declare them in one component",
        ]);
        expect(conflicts(PLAN.objects, live(), [wildcard("*.stripe.com", 8443)], [], OWNER, "egress")).to.deep.equal(
            [],
        );
    });

    it("refuses a port another owner's ServiceEntry uses with another protocol (one per port on client sidecars)", () => {
        const http443 = object(
            "web",
            "shop",
            "team/dev/shop",
            {},
            {
                hosts: ["shop.example.com"],
                location: "MESH_EXTERNAL",
                ports: [{ number: 443, protocol: "HTTP" }],
            },
        );
        expect(conflicts(PLAN.objects, live(), [http443], [], OWNER, "egress")).to.deep.equal([
            "port 443 carries TLS here but HTTP in ServiceEntry shop/web, owned by MeshEgress team/dev/shop: client " +
                "sidecars keep one protocol per port, so one of the two would stop working; use another port",
        ]);
        const https443 = { ...http443, spec: { ...http443.spec, ports: [{ number: 443, protocol: "HTTPS" }] } };
        expect(conflicts(PLAN.objects, live(), [https443], [], OWNER, "egress")).to.deep.equal([]);
    });

    it("refuses a host another owner already routes with a VirtualService", () => {
        const route = object("stripe", "payments", undefined, {}, { hosts: ["api.stripe.com"] });
        expect(conflicts(PLAN.objects, live(), [], [route], OWNER, "egress")).to.deep.equal([
            "host api.stripe.com is already routed by VirtualService payments/stripe, owned by no MeshEgress (written " +
                "by hand or by another tool): Istio would merge or drop one of the two routes; route each host in one place",
        ]);
        const own = object("egress-api-stripe-com", "istio-system", OWNER, {}, { hosts: ["api.stripe.com"] });
        expect(conflicts(PLAN.objects, live(), [], [own], OWNER, "egress")).to.deep.equal([]);
    });

    it("refuses another owner's VirtualService on this gateway, and ignores one bound only to another gateway", () => {
        const gateway = PLAN.objects.find((o) => o.manifest.kind === "Gateway")!.manifest.metadata;
        const onOurs = object(
            "stripe",
            "payments",
            undefined,
            {},
            {
                hosts: ["api.stripe.com"],
                gateways: [`${gateway.namespace}/${gateway.name}`],
            },
        );
        expect(conflicts(PLAN.objects, live(), [], [onOurs], OWNER, "egress")).to.have.length(1);
        const onIngress = object(
            "stripe",
            "payments",
            undefined,
            {},
            {
                hosts: ["api.stripe.com"],
                gateways: ["istio-system/ingressgateway"],
            },
        );
        expect(conflicts(PLAN.objects, live(), [], [onIngress], OWNER, "egress")).to.deep.equal([]);
    });

    it("refuses a second namespace-wide Sidecar in a namespace, and ignores one with a workloadSelector", () => {
        const rival = object("default", "payments", undefined, {}, { outboundTrafficPolicy: { mode: "ALLOW_ANY" } });
        const scoped = object("scoped", "payments", undefined, {}, { workloadSelector: { labels: { app: "x" } } });
        expect(
            conflicts(PLAN.objects, live({}, { [SIDECAR_KEY]: [rival, scoped] }), [], [], OWNER, "egress"),
        ).to.deep.equal([
            "namespace payments already has the namespace-wide Sidecar payments/default, owned by no MeshEgress " +
                "(written by hand or by another tool): Istio applies only one Sidecar without a workloadSelector " +
                "per namespace",
        ]);
    });
});
