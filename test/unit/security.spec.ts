// Who may reach which host, no bypass, access logs, ordering, warnings and the review summary.
import { expect } from "chai";
import { MeshEgressArgs } from "../../sdk";
import { EgressPlan, buildPlan } from "../../sdk/plan";
import { MeshEgressArgsError, validateArgs } from "../../sdk/validate";

function plan(args: MeshEgressArgs): EgressPlan {
    return buildPlan(validateArgs("egress", args));
}

function spec(p: EgressPlan, key: string): any {
    const object = p.objects.find((o) => o.key === key);
    if (!object) throw new Error(`no ${key} in ${p.objects.map((o) => o.key).join(", ")}`);
    return object.manifest.spec;
}

const SELECTOR = { matchLabels: { istio: "egressgateway", app: "egress-gateway" } };

// The README's example: namespace payments may reach api.stripe.com:443 and nothing else leaves the namespace.
const PAYMENTS: MeshEgressArgs = {
    hosts: [
        { host: "api.stripe.com", mode: "TLS_PASSTHROUGH", from: [{ namespace: "payments" }] },
        { host: "aliyun.com", from: [{ namespace: "shop", serviceAccount: "crawler" }] },
    ],
    antiBypass: { namespaces: ["payments"] },
};

describe("egress security", () => {
    describe("source rules (AuthorizationPolicy on the gateway)", () => {
        const p = plan(PAYMENTS);
        it("allows a namespace to a TLS host by its gateway port and the hop's SNI", () => {
            expect(spec(p, "AuthorizationPolicy/istio-system/egress-api-stripe-com")).to.deep.equal({
                selector: SELECTOR,
                action: "ALLOW",
                rules: [
                    {
                        from: [{ source: { namespaces: ["payments"] } }],
                        to: [{ operation: { ports: ["443"] } }],
                        when: [{ key: "connection.sni", values: ["api.stripe.com"] }],
                    },
                ],
            });
        });
        it("allows a ServiceAccount to an HTTP host by its authority, whatever the trust domain", () => {
            expect(spec(p, "AuthorizationPolicy/istio-system/egress-aliyun-com").rules).to.deep.equal([
                {
                    from: [{ source: { principals: ["*/ns/shop/sa/crawler"] } }],
                    to: [{ operation: { hosts: ["aliyun.com", "aliyun.com:80"] } }],
                },
            ]);
        });
        it("allows every caller to a host without `from` once others are restricted", () => {
            const mixed = plan({ hosts: [{ host: "a.com", from: [{ namespace: "x" }] }, { host: "b.com" }] });
            expect(spec(mixed, "AuthorizationPolicy/istio-system/egress-b-com").rules).to.deep.equal([
                { to: [{ operation: { hosts: ["b.com", "b.com:80"] } }] },
            ]);
        });
        it("authorizes a TCP destination by its gateway port and SNI", () => {
            const tcp = plan({
                hosts: [{ host: "db.example.com", mode: "TCP", port: 5432, from: [{ namespace: "x" }] }],
            });
            expect(spec(tcp, "AuthorizationPolicy/istio-system/egress-db-example-com").rules[0]).to.deep.include({
                to: [{ operation: { ports: ["5432"] } }],
                when: [{ key: "connection.sni", values: ["db.example.com"] }],
            });
        });
        it("creates no AuthorizationPolicy while no host restricts its sources (the seed's behaviour)", () => {
            expect(plan({ hosts: [{ host: "aliyun.com" }] }).objects.map((o) => o.manifest.kind)).to.not.include(
                "AuthorizationPolicy",
            );
        });
        it("rejects source rules without the mutual-TLS hop", () => {
            expect(() =>
                validateArgs("egress", {
                    hosts: [{ host: "a.com", from: [{ namespace: "x" }] }],
                    gatewayHopTls: "DISABLE",
                }),
            )
                .to.throw(MeshEgressArgsError)
                .with.property("problems")
                .that.deep.equals([
                    "hosts[0].from: needs gatewayHopTls ISTIO_MUTUAL: the gateway learns who is calling only from the hop's mutual TLS",
                ]);
        });
        it("rejects an empty source list and a source without a namespace", () => {
            expect(() => validateArgs("egress", { hosts: [{ host: "a.com", from: [] }] }))
                .to.throw(MeshEgressArgsError)
                .with.property("problems")
                .that.deep.equals([
                    "hosts[0].from: [] must be a non-empty list of { namespace, serviceAccount? }; omit it to allow every workload",
                ]);
            expect(() => validateArgs("egress", { hosts: [{ host: "a.com", from: [{ serviceAccount: "x" } as any] }] }))
                .to.throw(MeshEgressArgsError)
                .with.property("problems")
                .that.deep.equals(["hosts[0].from[0].namespace: is required"]);
        });
    });

    describe("anti-bypass NetworkPolicies", () => {
        it("lets a client namespace reach only DNS, the Istio namespace, the gateway, itself and allowed namespaces", () => {
            const p = plan({ ...PAYMENTS, antiBypass: { namespaces: ["payments"], allowNamespaces: ["shared"] } });
            const ns = (name: string) => ({
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } },
            });
            expect(spec(p, "NetworkPolicy/payments/egress-egress-only-via-gateway")).to.deep.equal({
                podSelector: {},
                policyTypes: ["Egress"],
                egress: [
                    {
                        to: [ns("kube-system")],
                        ports: [
                            { protocol: "UDP", port: 53 },
                            { protocol: "TCP", port: 53 },
                        ],
                    },
                    { to: [ns("istio-system")] },
                    {
                        to: [{ ...ns("istio-system"), podSelector: SELECTOR }],
                        ports: [
                            { protocol: "TCP", port: 80 },
                            { protocol: "TCP", port: 443 },
                        ],
                    },
                    { to: [{ podSelector: {} }] },
                    { to: [ns("shared")] },
                ],
            });
        });
        it("needs the namespaces to lock down", () => {
            expect(() => validateArgs("egress", { hosts: [], antiBypass: { namespaces: [] } }))
                .to.throw(MeshEgressArgsError)
                .with.property("problems")
                .that.deep.equals(["antiBypass.namespaces: [] must list the client namespaces to lock down"]);
        });
    });

    describe("access logs", () => {
        it("logs every request at the gateway pods by default", () => {
            expect(spec(plan({ hosts: [] }), "Telemetry/istio-system/egress-gateway-access-log")).to.deep.equal({
                selector: SELECTOR,
                accessLogging: [{ providers: [{ name: "envoy" }] }],
            });
        });
        it("uses the chosen provider, or none when disabled", () => {
            expect(
                spec(
                    plan({ hosts: [], accessLog: { provider: "otel" } }),
                    "Telemetry/istio-system/egress-gateway-access-log",
                ).accessLogging,
            ).to.deep.equal([{ providers: [{ name: "otel" }] }]);
            expect(
                plan({ hosts: [], accessLog: { enabled: false } }).objects.map((o) => o.manifest.kind),
            ).to.not.include("Telemetry");
        });
    });

    describe("per-namespace outbound policy", () => {
        it("writes a REGISTRY_ONLY Sidecar into each listed namespace only", () => {
            const p = plan({
                hosts: [{ host: "a.com" }],
                outboundTrafficPolicy: { target: "NAMESPACE_SIDECARS", namespaces: ["payments", "shop"] },
            });
            expect(
                p.objects.filter((o) => o.manifest.kind === "Sidecar").map((o) => [o.key, o.manifest.spec]),
            ).to.deep.equal([
                ["Sidecar/payments/egress-outbound-policy", { outboundTrafficPolicy: { mode: "REGISTRY_ONLY" } }],
                ["Sidecar/shop/egress-outbound-policy", { outboundTrafficPolicy: { mode: "REGISTRY_ONLY" } }],
            ]);
            expect(p.meshConfigEdit).to.equal(undefined);
        });
        it("needs namespaces for that target and refuses them for the others", () => {
            expect(() => validateArgs("egress", { hosts: [], outboundTrafficPolicy: { target: "NAMESPACE_SIDECARS" } }))
                .to.throw(MeshEgressArgsError)
                .with.property("problems")
                .that.deep.equals(["outboundTrafficPolicy.namespaces: is required for target NAMESPACE_SIDECARS"]);
            expect(() => validateArgs("egress", { hosts: [], outboundTrafficPolicy: { namespaces: ["x"] } }))
                .to.throw(MeshEgressArgsError)
                .with.property("problems")
                .that.deep.equals([
                    'outboundTrafficPolicy.namespaces: ["x"] applies only to target NAMESPACE_SIDECARS, not MESH_CONFIG',
                ]);
        });
    });

    describe("ordering", () => {
        const p = plan({
            ...PAYMENTS,
            outboundTrafficPolicy: { target: "NAMESPACE_SIDECARS", namespaces: ["payments"] },
        });
        const routes = p.objects.filter((o) =>
            ["ServiceEntry", "DestinationRule", "Gateway", "VirtualService"].includes(o.manifest.kind),
        );
        const enforcement = p.objects.filter((o) =>
            ["AuthorizationPolicy", "NetworkPolicy", "Sidecar"].includes(o.manifest.kind),
        );
        it("creates every route before any policy that blocks or denies (so the policy is removed first on destroy)", () => {
            expect(enforcement.map((o) => o.manifest.kind)).to.have.members([
                "AuthorizationPolicy",
                "AuthorizationPolicy",
                "NetworkPolicy",
                "Sidecar",
            ]);
            for (const object of enforcement)
                expect(object.dependsOn, object.key).to.include.members(routes.map((r) => r.key));
        });
        it("lets no route depend on a policy", () => {
            const enforcementKeys = enforcement.map((o) => o.key);
            for (const route of routes)
                expect(
                    route.dependsOn.filter((k) => enforcementKeys.includes(k)),
                    route.key,
                ).to.deep.equal([]);
        });
    });

    describe("warnings", () => {
        it("warns that ALLOW_ANY makes source rules bypassable", () => {
            expect(plan({ ...PAYMENTS, outboundTrafficPolicy: { mode: "ALLOW_ANY" } }).warnings).to.deep.equal([
                "hosts restrict their sources but outboundTrafficPolicy.mode is ALLOW_ANY: any workload can still reach " +
                    "those hosts directly, around the gateway and its rules; use REGISTRY_ONLY (and antiBypass)",
            ]);
        });
        it("warns about hosts open to every namespace while others are restricted", () => {
            expect(
                plan({ hosts: [{ host: "a.com", from: [{ namespace: "x" }] }, { host: "b.com" }, { host: "c.com" }] })
                    .warnings,
            ).to.deep.equal([
                "b.com, c.com are reachable from every namespace while other hosts restrict their sources; add `from` if that is not intended",
            ]);
        });
        it("warns about REGISTRY_ONLY with no hosts, and about nothing for the seed", () => {
            expect(plan({ hosts: [] }).warnings).to.have.length(1);
            expect(plan({ hosts: [{ host: "aliyun.com" }] }).warnings).to.deep.equal([]);
        });
        it("warns that a TCP host without addresses takes every connection to its port (istioctl IST0134)", () => {
            expect(plan({ hosts: [{ host: "db.example.com", mode: "TCP", port: 5432 }] }).warnings).to.deep.equal([
                "db.example.com is TCP on port 5432 without addresses: every TCP connection to port 5432, to any " +
                    "address, goes to it through the gateway (istioctl analyze IST0134); give it `addresses`",
            ]);
        });
    });

    describe("review summary", () => {
        it("tabulates host, ports, mode, allowed sources and gateway port", () => {
            const p = plan({
                hosts: [
                    ...PAYMENTS.hosts,
                    { host: "edition.cnn.com", mode: "TLS_ORIGINATION" },
                    {
                        host: "db.example.com",
                        mode: "TCP",
                        port: 5432,
                        from: [{ namespace: "shop" }, { namespace: "ops", serviceAccount: "backup" }],
                    },
                ],
            });
            expect(p.summary).to.equal(
                [
                    "outbound traffic policy: REGISTRY_ONLY (MESH_CONFIG); gateway hop: ISTIO_MUTUAL; routes: ISTIO; gateway: egress-gateway.istio-system",
                    "",
                    "| host | ports | mode | allowed sources | gateway port |",
                    "|---|---|---|---|---|",
                    "| aliyun.com | 80 | HTTP | shop/crawler | 80 |",
                    "| api.stripe.com | 443 | TLS_PASSTHROUGH | payments/* | 443 |",
                    "| db.example.com | 5432 | TCP | shop/*, ops/backup | 5432 |",
                    "| edition.cnn.com | 80 → 443 | TLS_ORIGINATION | every workload | 80 |",
                ].join("\n"),
            );
        });
    });
});
