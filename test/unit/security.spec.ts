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
    describe("source rules (a DENY AuthorizationPolicy per restricted host on the gateway)", () => {
        const p = plan(PAYMENTS);
        it("denies every caller but the namespace on a TLS host's chain: its gateway port and the hop's SNI", () => {
            expect(spec(p, "AuthorizationPolicy/istio-system/egress-api-stripe-com---sources")).to.deep.equal({
                selector: SELECTOR,
                action: "DENY",
                rules: [
                    {
                        from: [{ source: { notNamespaces: ["payments"] } }],
                        to: [{ operation: { ports: ["443"] } }],
                        when: [{ key: "connection.sni", values: ["api.stripe.com"] }],
                    },
                ],
            });
        });
        it("denies every caller but the ServiceAccount on an HTTP host's chain, whatever the trust domain, never by Host header", () => {
            expect(spec(p, "AuthorizationPolicy/istio-system/egress-aliyun-com---sources").rules).to.deep.equal([
                {
                    from: [{ source: { notPrincipals: ["*/ns/shop/sa/crawler"] } }],
                    to: [{ operation: { ports: ["80"] } }],
                    when: [{ key: "connection.sni", values: ["aliyun.com"] }],
                },
            ]);
        });
        it("puts namespaces and ServiceAccounts into one source, so that a caller is denied only when it is neither", () => {
            const mixed = plan({
                hosts: [
                    {
                        host: "db.example.com",
                        mode: "TCP",
                        port: 5432,
                        from: [{ namespace: "shop" }, { namespace: "ops", serviceAccount: "backup" }],
                    },
                ],
            });
            expect(spec(mixed, "AuthorizationPolicy/istio-system/egress-db-example-com---sources").rules).to.deep.equal(
                [
                    {
                        from: [{ source: { notNamespaces: ["shop"], notPrincipals: ["*/ns/ops/sa/backup"] } }],
                        to: [{ operation: { ports: ["5432"] } }],
                        when: [{ key: "connection.sni", values: ["db.example.com"] }],
                    },
                ],
            );
        });
        it("matches a wildcard's whole chain: the SNI pattern is the wildcard itself", () => {
            const wildcard = plan({
                hosts: [
                    {
                        host: "*.wikipedia.org",
                        mode: "TLS_PASSTHROUGH",
                        upstreamHost: "www.wikipedia.org",
                        from: [{ namespace: "docs" }],
                    },
                ],
            });
            expect(
                spec(wildcard, "AuthorizationPolicy/istio-system/egress-star---wikipedia-org---sources").rules[0].when,
            ).to.deep.equal([{ key: "connection.sni", values: ["*.wikipedia.org"] }]);
        });
        it("creates no policy for a host without `from`, and no ALLOW at all: other hosts and other components stay open", () => {
            const mixed = plan({ hosts: [{ host: "a.com", from: [{ namespace: "x" }] }, { host: "b.com" }] });
            const policies = mixed.objects.filter((o) => o.manifest.kind === "AuthorizationPolicy");
            expect(policies.map((o) => [o.key, (o.manifest.spec as any).action])).to.deep.equal([
                ["AuthorizationPolicy/istio-system/egress-a-com---sources", "DENY"],
            ]);
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
        it("lets a client namespace reach only DNS, istiod's xDS port, the gateway's pods, itself and allowed namespaces", () => {
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
                    {
                        to: [{ ...ns("istio-system"), podSelector: { matchLabels: { app: "istiod" } } }],
                        ports: [{ protocol: "TCP", port: 15012 }],
                    },
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
        it("selects istiod by the labels given, and refuses an empty selector, which would admit every pod", () => {
            const revised = plan({
                ...PAYMENTS,
                antiBypass: { namespaces: ["payments"], controlPlaneSelector: { "istio.io/rev": "canary" } },
            });
            const egress = spec(revised, "NetworkPolicy/payments/egress-egress-only-via-gateway").egress;
            expect(egress[1].to[0].podSelector).to.deep.equal({ matchLabels: { "istio.io/rev": "canary" } });
            expect(() =>
                validateArgs("egress", {
                    hosts: [],
                    antiBypass: { namespaces: ["payments"], controlPlaneSelector: {} },
                }),
            )
                .to.throw(MeshEgressArgsError)
                .with.property("problems")
                .that.deep.equals([
                    "antiBypass.controlPlaneSelector: must not be empty: istiod's pods are selected by these labels",
                ]);
        });
        it("admits no gateway pod while no host opens a gateway port (a rule without ports would open them all)", () => {
            const empty = plan({ hosts: [], antiBypass: { namespaces: ["payments"] } });
            const egress = spec(empty, "NetworkPolicy/payments/egress-egress-only-via-gateway").egress;
            expect(egress.map((rule: any) => rule.to[0].podSelector)).to.deep.equal([
                undefined,
                { matchLabels: { app: "istiod" } },
                {},
            ]);
        });
        it("needs the namespaces to lock down", () => {
            expect(() => validateArgs("egress", { hosts: [], antiBypass: { namespaces: [] } }))
                .to.throw(MeshEgressArgsError)
                .with.property("problems")
                .that.deep.equals(["antiBypass.namespaces: [] must list the client namespaces to lock down"]);
        });
    });

    describe("access logs", () => {
        const ON_THE_CHART_GATEWAY = {
            hosts: [{ host: "aliyun.com" }],
            existingGateway: { selector: { istio: "egressgateway" }, serviceName: "istio-egressgateway" },
        };
        it("leaves an existing gateway's access log to its owner: several components on it must not write one Telemetry", () => {
            expect(plan(ON_THE_CHART_GATEWAY).objects.map((o) => o.manifest.kind)).to.not.include("Telemetry");
        });
        it("logs at an existing gateway when asked to, under the gateway's name (enabled in one component at most)", () => {
            const asked = plan({ ...ON_THE_CHART_GATEWAY, accessLog: { enabled: true } });
            expect(spec(asked, "Telemetry/istio-system/istio-egressgateway-access-log")).to.deep.equal({
                selector: { matchLabels: { istio: "egressgateway" } },
                accessLogging: [{ providers: [{ name: "envoy" }] }],
            });
        });
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
        const enforcement = p.objects.filter((o) => ["NetworkPolicy", "Sidecar"].includes(o.manifest.kind));
        it("creates every route before any policy that blocks (so the policy is removed first on destroy)", () => {
            expect(enforcement.map((o) => o.manifest.kind)).to.have.members(["NetworkPolicy", "Sidecar"]);
            for (const object of enforcement)
                expect(object.dependsOn, object.key).to.include.members(routes.map((r) => r.key));
        });
        it("creates a restricted host's source rule before its routes, and routes no other host after it", () => {
            const denial = p.objects.find(
                (o) => o.key === "AuthorizationPolicy/istio-system/egress-aliyun-com---sources",
            )!;
            const own = p.objects.filter((o) => o.host === "aliyun.com" && o.manifest.kind === "VirtualService");
            const others = p.objects.filter((o) => o.host !== "aliyun.com" && o.manifest.kind === "VirtualService");
            expect(own.length, "the host's routes").to.be.greaterThan(0);
            for (const route of own) expect(route.dependsOn, route.key).to.include(denial.key);
            for (const route of others) expect(route.dependsOn, route.key).to.not.include(denial.key);
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
        it("warns that a wildcard resolved per name reaches every name under it", () => {
            expect(
                plan({ hosts: [{ host: "*.example.net", from: [{ namespace: "x", serviceAccount: "api" }] }] })
                    .warnings,
            ).to.deep.equal([
                "*.example.net lets its sources (x/api) reach every name under it on port 80, each resolved by the " +
                    "egress point when a request asks for it, names that do not exist yet included; narrow it with " +
                    "`from`, or declare the names you call (docs/modes.md#wildcards-resolved-name-by-name)",
            ]);
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
