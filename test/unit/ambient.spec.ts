// The data plane AMBIENT: the egress waypoint and its parameters, each host's ServiceEntry bound to it (Istio's
// "Egress gateways" under Ambient), origination, sources, access logs, the default deny, and what is refused.
import { expect } from "chai";
import fc from "fast-check";
import { shardOf } from "../../sdk/naming/shards";
import { ExternalHost, MeshEgressArgs } from "../../sdk";
import { EgressPlan, buildPlan } from "../../sdk/plan";
import { validateArgs } from "../../sdk/validate";
import { problemsOf } from "../support/problems";
import { LABELS, manifest } from "../support/planned";

const LOCKED = { antiBypass: { namespaces: ["shop"] } };

function plan(args: MeshEgressArgs): EgressPlan {
    return buildPlan(validateArgs("egress", { dataplane: "AMBIENT", ...LOCKED, ...args }));
}

const BOUND = {
    ...LABELS,
    "istio.io/use-waypoint": "egress-waypoint",
    "istio.io/use-waypoint-namespace": "istio-system",
};

describe("data plane AMBIENT", () => {
    describe("the waypoint", () => {
        const seed = plan({ hosts: [{ host: "aliyun.com" }] });

        it("is a Gateway of class istio-waypoint for service traffic, listening for HBONE, with its parameters", () => {
            expect(manifest(seed, "Gateway/istio-system/egress-waypoint")).to.deep.equal({
                apiVersion: "gateway.networking.k8s.io/v1",
                kind: "Gateway",
                metadata: {
                    name: "egress-waypoint",
                    namespace: "istio-system",
                    labels: { ...LABELS, "istio.io/waypoint-for": "service" },
                },
                spec: {
                    gatewayClassName: "istio-waypoint",
                    infrastructure: {
                        parametersRef: { group: "", kind: "ConfigMap", name: "egress-waypoint-parameters" },
                    },
                    listeners: [
                        {
                            name: "mesh",
                            port: 15008,
                            protocol: "HBONE",
                            allowedRoutes: { namespaces: { from: "Same" } },
                        },
                    ],
                },
            });
        });

        it("gets two replicas spread across nodes, exactly the proxy's resources and a PodDisruptionBudget by default", () => {
            expect(manifest(seed, "ConfigMap/istio-system/egress-waypoint-parameters").data).to.deep.equal({
                deployment: [
                    "spec:",
                    "  template:",
                    "    spec:",
                    "      containers:",
                    "        - name: istio-proxy",
                    "          resources:",
                    "            $patch: replace",
                    "            requests:",
                    "              cpu: 100m",
                    "              memory: 128Mi",
                    "            limits:",
                    '              cpu: "2"',
                    "              memory: 1Gi",
                    "      topologySpreadConstraints:",
                    "        - maxSkew: 1",
                    "          topologyKey: kubernetes.io/hostname",
                    "          whenUnsatisfiable: ScheduleAnyway",
                    "          labelSelector:",
                    "            matchLabels:",
                    "              gateway.networking.k8s.io/gateway-name: egress-waypoint",
                    "  replicas: 2",
                    "",
                ].join("\n"),
                podDisruptionBudget: "spec:\n  maxUnavailable: 1\n",
            });
        });

        it("lets an autoscaler own the replica count and places the pods as asked", () => {
            const scaled = plan({
                hosts: [],
                gateway: {
                    name: "egress",
                    namespace: "istio-egress",
                    autoscaling: { minReplicas: 3, maxReplicas: 9 },
                    nodeSelector: { pool: "egress" },
                    spreadAcrossNodes: false,
                    podDisruptionBudget: { enabled: false },
                },
            });
            const data = manifest(scaled, "ConfigMap/istio-egress/egress-parameters").data as Record<string, string>;
            expect(Object.keys(data)).to.deep.equal(["deployment", "horizontalPodAutoscaler"]);
            expect(data.deployment).to.not.include("replicas");
            expect(data.deployment).to.include("nodeSelector:\n        pool: egress");
            expect(data.horizontalPodAutoscaler).to.equal(
                [
                    "spec:",
                    "  minReplicas: 3",
                    "  maxReplicas: 9",
                    "  metrics:",
                    "    - type: Resource",
                    "      resource:",
                    "        name: cpu",
                    "        target:",
                    "          type: Utilization",
                    "          averageUtilization: 80",
                    "",
                ].join("\n"),
            );
        });

        it("is not created when one already runs: the hosts are bound to it, and its owner keeps its access log", () => {
            const existing = plan({
                hosts: [{ host: "aliyun.com" }],
                existingWaypoint: { name: "shared-egress", namespace: "egress" },
            });
            expect(existing.objects.map((o) => o.key)).to.deep.equal([
                "AuthorizationPolicy/egress/egress-aliyun-com",
                "ServiceEntry/egress/egress-aliyun-com",
                "NetworkPolicy/shop/egress-egress-only-via-gateway",
            ]);
            expect(manifest(existing, "ServiceEntry/egress/egress-aliyun-com").metadata.labels).to.deep.include({
                "istio.io/use-waypoint": "shared-egress",
                "istio.io/use-waypoint-namespace": "egress",
            });
        });
    });

    describe("per host", () => {
        it("HTTP: a ServiceEntry bound to the waypoint, after a policy admitting only requests for the host", () => {
            const seed = plan({ hosts: [{ host: "aliyun.com" }] });
            expect(seed.objects.filter((o) => o.host === "aliyun.com").map((o) => o.manifest)).to.deep.equal([
                {
                    apiVersion: "security.istio.io/v1",
                    kind: "AuthorizationPolicy",
                    metadata: {
                        name: "egress-aliyun-com",
                        namespace: "istio-system",
                        labels: LABELS,
                        annotations: { "mesh-egress.io/host": "aliyun.com" },
                    },
                    spec: {
                        targetRefs: [{ group: "networking.istio.io", kind: "ServiceEntry", name: "egress-aliyun-com" }],
                        action: "ALLOW",
                        rules: [{ to: [{ operation: { hosts: ["aliyun.com", "aliyun.com:80"] } }] }],
                    },
                },
                {
                    apiVersion: "networking.istio.io/v1",
                    kind: "ServiceEntry",
                    metadata: {
                        name: "egress-aliyun-com",
                        namespace: "istio-system",
                        labels: BOUND,
                        annotations: { "mesh-egress.io/host": "aliyun.com" },
                    },
                    spec: {
                        hosts: ["aliyun.com"],
                        location: "MESH_EXTERNAL",
                        resolution: "DNS",
                        ports: [{ number: 80, name: "http-80", protocol: "HTTP" }],
                        exportTo: ["*"],
                    },
                },
            ]);
            expect(seed.hostObjects["aliyun.com"]).to.deep.equal({
                namespace: "istio-system",
                serviceEntry: "egress-aliyun-com",
                gateway: "egress-waypoint",
                routes: [],
                gatewayPort: 15008,
            });
        });

        it("TLS origination: the app's port targets the host's TLS port, where a DestinationRule originates TLS first", () => {
            const p = plan({ hosts: [{ host: "edition.cnn.com", mode: "TLS_ORIGINATION" }] });
            const keys = p.objects.filter((o) => o.host).map((o) => o.key);
            expect(keys).to.deep.equal([
                "DestinationRule/istio-system/egress-edition-cnn-com---tls",
                "AuthorizationPolicy/istio-system/egress-edition-cnn-com",
                "ServiceEntry/istio-system/egress-edition-cnn-com",
            ]);
            expect(manifest(p, keys[2]).spec).to.deep.include({
                ports: [{ number: 80, name: "http-80", protocol: "HTTP", targetPort: 443 }],
            });
            expect(manifest(p, keys[0]).spec).to.deep.equal({
                host: "edition.cnn.com",
                exportTo: ["."],
                trafficPolicy: {
                    portLevelSettings: [
                        {
                            port: { number: 80 },
                            tls: {
                                mode: "SIMPLE",
                                sni: "edition.cnn.com",
                                caCertificates: "/etc/ssl/certs/ca-certificates.crt",
                            },
                        },
                    ],
                },
            });
            expect(p.objects.find((o) => o.key === keys[2])!.dependsOn).to.include.members([keys[0], keys[1]]);
        });

        it("mutual TLS origination: the waypoint may read the credential before the rule naming it exists", () => {
            const p = plan({
                hosts: [{ host: "mtls.example.com", mode: "MUTUAL_TLS_ORIGINATION", tls: { credentialName: "cert" } }],
            });
            const metadata = { name: "egress-waypoint-sds", namespace: "istio-system", labels: LABELS };
            expect(manifest(p, "RoleBinding/istio-system/egress-waypoint-sds")).to.deep.equal({
                apiVersion: "rbac.authorization.k8s.io/v1",
                kind: "RoleBinding",
                metadata,
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "egress-waypoint-sds" },
                subjects: [{ kind: "ServiceAccount", name: "egress-waypoint" }],
            });
            expect(
                p.objects.find((o) => o.key === "DestinationRule/istio-system/egress-mtls-example-com---tls")!
                    .dependsOn,
            ).to.deep.equal([
                "Gateway/istio-system/egress-waypoint",
                "Role/istio-system/egress-waypoint-sds",
                "RoleBinding/istio-system/egress-waypoint-sds",
            ]);
        });

        it("an HTTP wildcard: the waypoint resolves each name from the Host header (DYNAMIC_DNS), only under it", () => {
            const p = plan({ hosts: [{ host: "*.example.net" }] });
            expect(manifest(p, "ServiceEntry/istio-system/egress-star---example-net").spec).to.deep.include({
                hosts: ["*.example.net"],
                resolution: "DYNAMIC_DNS",
                ports: [{ number: 80, name: "http-80", protocol: "HTTP" }],
            });
            expect(
                (
                    manifest(p, "AuthorizationPolicy/istio-system/egress-star---example-net").spec as Record<
                        string,
                        unknown
                    >
                ).rules,
            ).to.deep.equal([{ to: [{ operation: { hosts: ["*.example.net", "*.example.net:80"] } }] }]);
        });

        it("TLS passthrough and TCP: the port's protocol, a TCP host's address and endpoints", () => {
            const p = plan({
                hosts: [
                    { host: "api.stripe.com", mode: "TLS_PASSTHROUGH" },
                    {
                        host: "db.example.com",
                        mode: "TCP",
                        port: 5432,
                        addresses: ["192.0.2.7"],
                        endpoints: ["192.0.2.7"],
                    },
                ],
            });
            expect(manifest(p, "ServiceEntry/istio-system/egress-api-stripe-com").spec).to.deep.include({
                ports: [{ number: 443, name: "tls-443", protocol: "TLS" }],
                resolution: "DNS",
            });
            expect(manifest(p, "ServiceEntry/istio-system/egress-db-example-com").spec).to.deep.include({
                ports: [{ number: 5432, name: "tcp-5432", protocol: "TCP" }],
                resolution: "STATIC",
                addresses: ["192.0.2.7"],
                endpoints: [{ address: "192.0.2.7" }],
            });
        });

        it("from: an AuthorizationPolicy on the host's ServiceEntry, created before the host is bound", () => {
            const p = plan({
                hosts: [{ host: "pay.example.com", from: [{ namespace: "shop", serviceAccount: "checkout" }] }],
            });
            const policy = p.objects.find((o) => o.key === "AuthorizationPolicy/istio-system/egress-pay-example-com")!;
            expect(policy.manifest.spec).to.deep.equal({
                targetRefs: [{ group: "networking.istio.io", kind: "ServiceEntry", name: "egress-pay-example-com" }],
                action: "ALLOW",
                rules: [
                    {
                        from: [{ source: { principals: ["*/ns/shop/sa/checkout"] } }],
                        to: [{ operation: { hosts: ["pay.example.com", "pay.example.com:80"] } }],
                    },
                ],
            });
            const serviceEntry = p.objects.find((o) => o.key === "ServiceEntry/istio-system/egress-pay-example-com")!;
            expect(serviceEntry.dependsOn).to.include(policy.key);
            expect(serviceEntry.manifest.spec).to.deep.include({ exportTo: ["istio-system", "shop"] });
        });
    });

    it("logs at the waypoint through a Telemetry aimed at it", () => {
        expect(manifest(plan({ hosts: [] }), "Telemetry/istio-system/egress-waypoint-access-log").spec).to.deep.equal({
            targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "egress-waypoint" }],
            accessLogging: [{ providers: [{ name: "envoy" }] }],
        });
    });

    it("locks the client namespaces to the waypoint's HBONE port, after every host is bound", () => {
        const p = plan({ hosts: [{ host: "aliyun.com" }] });
        const policy = p.objects.find((o) => o.key === "NetworkPolicy/shop/egress-egress-only-via-gateway")!;
        expect((policy.manifest.spec as { egress: unknown[] }).egress[2]).to.deep.equal({
            to: [
                {
                    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "istio-system" } },
                    podSelector: { matchLabels: { "gateway.networking.k8s.io/gateway-name": "egress-waypoint" } },
                },
            ],
            ports: [{ protocol: "TCP", port: 15008 }],
        });
        expect(policy.dependsOn).to.include("ServiceEntry/istio-system/egress-aliyun-com");
    });

    it("tells reviewers what blocks undeclared hosts", () => {
        const p = plan({ hosts: [] });
        expect(p.summary.split("\n")[0]).to.equal(
            "outbound traffic policy: REGISTRY_ONLY (MESH_CONFIG); data plane: AMBIENT; waypoint: " +
                "egress-waypoint.istio-system; undeclared hosts blocked for ambient pods by the antiBypass " +
                "NetworkPolicies (shop)",
        );
        expect(p.warnings[0]).to.equal(
            "dataplane is AMBIENT: ztunnel does not apply the outbound traffic policy, so in ambient namespaces only " +
                "the antiBypass NetworkPolicies block undeclared hosts (shop); ambient pods in any other namespace " +
                "reach every host directly",
        );
    });

    it("warns when one waypoint takes more hosts than istiod builds in about half a second, and not before", () => {
        const hosts = (n: number) => Array.from({ length: n }, (_, i) => ({ host: `api-${i}.example.com` }));
        const scaleWarning = (n: number) =>
            plan({ hosts: hosts(n) }).warnings.filter((w) => w.includes("egress waypoint"));
        expect(scaleWarning(500)).to.deep.equal([]);
        expect(scaleWarning(501)).to.deep.equal([
            "501 hosts on the egress waypoint in istio-system: istiod's time to build a waypoint grows with the " +
                "square of its hosts' AuthorizationPolicies (1–2 s at 1,000 hosts, 37–135 s at 5,000; " +
                "BENCHMARKS.md), on every change that concerns it; spread the hosts across waypoints " +
                "(gateway.shardNamespaces), or use the SIDECAR data plane (docs/ambient.md#scale)",
        ]);
    });

    describe("waypoints spread across namespaces (gateway.shardNamespaces)", () => {
        const sharded = plan({
            hosts: [{ host: "aliyun.com" }, { host: "example.org", mode: "TLS_PASSTHROUGH" }],
            gateway: { shardNamespaces: ["egress-1"] },
        });
        const keysOf = (p: EgressPlan, kind: string) => p.objects.map((o) => o.key).filter((k) => k.startsWith(kind));

        it("deploys the same waypoint in each namespace, and puts each host's objects beside the waypoint it is bound to", () => {
            expect(keysOf(sharded, "Gateway/")).to.deep.equal([
                "Gateway/istio-system/egress-waypoint",
                "Gateway/egress-1/egress-waypoint",
            ]);
            expect(keysOf(sharded, "ConfigMap/")).to.deep.equal([
                "ConfigMap/istio-system/egress-waypoint-parameters",
                "ConfigMap/egress-1/egress-waypoint-parameters",
            ]);
            expect(manifest(sharded, "ServiceEntry/egress-1/egress-aliyun-com").metadata.labels).to.deep.equal({
                ...BOUND,
                "istio.io/use-waypoint-namespace": "egress-1",
            });
            expect(keysOf(sharded, "AuthorizationPolicy/")).to.deep.equal([
                "AuthorizationPolicy/egress-1/egress-aliyun-com",
            ]);
            expect(manifest(sharded, "ServiceEntry/istio-system/egress-example-org").metadata.labels).to.deep.equal(
                BOUND,
            );
            expect(sharded.hostObjects["aliyun.com"].namespace).to.equal("egress-1");
            expect(
                sharded.objects.find((o) => o.key === "ServiceEntry/egress-1/egress-aliyun-com")?.dependsOn,
            ).to.include("Gateway/egress-1/egress-waypoint");
        });

        it("lets the locked namespaces reach every waypoint's pods on HBONE, and no other pod there", () => {
            const egress = (manifest(sharded, "NetworkPolicy/shop/egress-egress-only-via-gateway").spec as any).egress;
            const pods = (namespace: string) => ({
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
                podSelector: { matchLabels: { "gateway.networking.k8s.io/gateway-name": "egress-waypoint" } },
            });
            expect(egress[2]).to.deep.equal({
                to: [pods("istio-system"), pods("egress-1")],
                ports: [{ protocol: "TCP", port: 15008 }],
            });
        });

        it("tells reviewers which waypoint each host uses", () => {
            expect(sharded.summary.split("\n")[0]).to.include(
                "waypoints: egress-waypoint in istio-system, egress-1 (hosts spread by name)",
            );
            expect(sharded.summary).to.include("| aliyun.com | 80 | HTTP | every workload | 15008 (HBONE, egress-1) |");
        });

        it("chooses each host's namespace from the names alone: not from list order, and a new namespace takes hosts only for itself", () => {
            const host = fc.domain().map((d) => d.toLowerCase());
            const namespace = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);
            fc.assert(
                fc.property(
                    fc.uniqueArray(host, { minLength: 1, maxLength: 30 }),
                    fc.uniqueArray(namespace, { minLength: 1, maxLength: 6 }),
                    namespace,
                    (hosts, namespaces, added) => {
                        fc.pre(!namespaces.includes(added));
                        const reversed = [...namespaces].reverse();
                        for (const h of hosts) {
                            const before = shardOf(h, namespaces);
                            expect(namespaces).to.include(before);
                            expect(shardOf(h, reversed)).to.equal(before);
                            expect([before, added]).to.include(shardOf(h, [...namespaces, added]));
                        }
                    },
                ),
                { seed: 20261206, numRuns: 300 },
            );
        });

        it("with one namespace, plans exactly what a component without shards plans", () => {
            const hosts = [{ host: "aliyun.com" }, { host: "example.org", mode: "TLS_PASSTHROUGH" as const }];
            expect(plan({ hosts, gateway: { shardNamespaces: [] } })).to.deep.equal(plan({ hosts }));
        });

        it("refuses to lock down a shard namespace: its waypoint must reach the external hosts", () => {
            expect(
                problemsOf({
                    dataplane: "AMBIENT",
                    hosts: [],
                    gateway: { shardNamespaces: ["egress-1"] },
                    antiBypass: { namespaces: ["shop", "egress-1"] },
                }),
            ).to.deep.equal([
                'antiBypass.namespaces[1]: "egress-1" must not be locked down: the egress waypoint there must reach ' +
                    "the external hosts, and the policy would allow it only the gateway",
            ]);
        });

        it("refuses shards under SIDECAR, the gateway's own namespace listed again, and duplicates", () => {
            expect(problemsOf({ hosts: [], gateway: { shardNamespaces: ["egress-1"] } })).to.deep.equal([
                'gateway.shardNamespaces: applies only to dataplane "AMBIENT": it spreads hosts across waypoints',
            ]);
            expect(
                problemsOf({
                    dataplane: "AMBIENT",
                    ...LOCKED,
                    hosts: [],
                    gateway: { shardNamespaces: ["istio-system", "egress-1", "egress-1"] },
                }),
            ).to.deep.equal([
                'gateway.shardNamespaces[2]: "egress-1" duplicates gateway.shardNamespaces[1]',
                'gateway.shardNamespaces: "istio-system" is gateway.namespace, which always has a waypoint; list only the others',
            ]);
        });
    });

    describe("what ambient cannot do is refused, naming the field and why", () => {
        it("requires antiBypass, the only default deny for ambient pods", () => {
            expect(problemsOf({ dataplane: "AMBIENT", hosts: [] })).to.deep.equal([
                'antiBypass: is required with dataplane "AMBIENT": ztunnel does not apply REGISTRY_ONLY ' +
                    "(istio/istio#54281), so only its NetworkPolicies keep the client namespaces from reaching " +
                    "undeclared hosts directly",
            ]);
        });

        it("refuses the settings of a sidecar-mode gateway and routes", () => {
            const wildcard: ExternalHost = {
                host: "*.wikipedia.org",
                mode: "TLS_PASSTHROUGH",
                upstreamHost: "www.wikipedia.org",
            };
            expect(
                problemsOf({
                    dataplane: "AMBIENT",
                    ...LOCKED,
                    gatewayHopTls: "DISABLE",
                    routingApi: "GATEWAY_API",
                    outboundTrafficPolicy: { mode: "AUDIT" },
                    gateway: { labels: { app: "egress" } },
                    hosts: [
                        wildcard,
                        {
                            host: "db.example.com",
                            mode: "TCP",
                            port: 5432,
                            addresses: ["192.0.2.0/24"],
                            endpoints: ["192.0.2.7"],
                        },
                    ],
                }),
            ).to.deep.equal([
                'hosts[0].mode: "TLS_PASSTHROUGH" cannot route the wildcard "*.wikipedia.org" through a waypoint: istiod ' +
                    "builds a waypoint route for a wildcard only for HTTP (for TLS only behind its experimental " +
                    "ENABLE_WILDCARD_HOST_SERVICE_ENTRIES_FOR_TLS, off by default and open to SNI spoofing); use HTTP, " +
                    "or declare the names you call",
                'hosts[0].upstreamHost: "www.wikipedia.org" cannot be used with dataplane "AMBIENT": the waypoint ' +
                    'sends each name under the wildcard "*.wikipedia.org" to that name (DYNAMIC_DNS), not to one upstream',
                'gateway.labels: cannot be used with dataplane "AMBIENT": Istio labels the waypoint\'s pods itself',
                'gatewayHopTls: "DISABLE" cannot be used with dataplane "AMBIENT": ztunnel always reaches the ' +
                    "waypoint over HBONE mTLS",
                'routingApi: "GATEWAY_API" cannot be used with dataplane "AMBIENT": the hosts\' ServiceEntries are ' +
                    "bound to the waypoint; there are no routes",
                'outboundTrafficPolicy.mode: "AUDIT" cannot be used with dataplane "AMBIENT": it logs at client ' +
                    "sidecars, and ambient workloads have none",
                'hosts[1].addresses: cannot be used with dataplane "AMBIENT": "192.0.2.0/24" is a range; ztunnel ' +
                    "captures a service by its single addresses",
                'antiBypass.namespaces: ["shop"] would have their undeclared calls cut off at the network, which ' +
                    "outboundTrafficPolicy.mode AUDIT lets through and logs; lock them down when you switch to REGISTRY_ONLY",
            ]);
        });

        it("refuses an existing gateway, ASM's gateway, a second cluster, and Outputs inside the waypoint's parameters", () => {
            const output = { __pulumiOutput: true } as never;
            expect(
                problemsOf({
                    dataplane: "AMBIENT",
                    ...LOCKED,
                    hosts: [],
                    existingGateway: { selector: { istio: "egressgateway" }, serviceName: "istio-egressgateway" },
                    istioCluster: { kubeconfig: "other" },
                }),
            ).to.deep.equal([
                'istioCluster: cannot be used with dataplane "AMBIENT": Istio deploys the waypoint where its Gateway ' +
                    "is, so the Istio cluster and the workloads' cluster would both need it; this setup is not verified",
                'existingGateway: cannot be used with dataplane "AMBIENT": ambient traffic leaves through a waypoint; ' +
                    "use existingWaypoint",
            ]);
            expect(
                problemsOf({
                    dataplane: "AMBIENT",
                    ...LOCKED,
                    hosts: [],
                    gateway: { resources: { requests: { cpu: output } } },
                }),
            ).to.deep.equal([
                'gateway.resources: holds a Pulumi Output or Promise, but under dataplane "AMBIENT" it is written ' +
                    "into the waypoint's parameters ConfigMap at construction, so it must be a plain value throughout",
            ]);
        });

        it("refuses the waypoint's own namespace in antiBypass, an existing waypoint's too", () => {
            expect(
                problemsOf({
                    dataplane: "AMBIENT",
                    antiBypass: { namespaces: ["egress", "shop"] },
                    hosts: [],
                    existingWaypoint: { name: "wp", namespace: "egress" },
                }),
            ).to.deep.equal([
                'antiBypass.namespaces[0]: "egress" must not be locked down: the egress gateway itself must reach the ' +
                    "external hosts, and the policy would allow it only the gateway",
            ]);
        });

        it("needs an existing waypoint's name", () => {
            expect(problemsOf({ dataplane: "AMBIENT", ...LOCKED, hosts: [], existingWaypoint: {} })).to.deep.equal([
                "existingWaypoint.name: is required",
            ]);
        });

        it("needs Istio 1.31, the first release verified with egress waypoints", () => {
            expect(
                problemsOf({ dataplane: "AMBIENT", ...LOCKED, hosts: [], istio: { version: "1.30" } }),
            ).to.deep.equal([
                'dataplane: "AMBIENT" needs istio.version 1.31 or later (the first release verified to route ' +
                    "ServiceEntries through an egress waypoint), not 1.30",
            ]);
        });

        it("takes existingWaypoint only under AMBIENT, and not together with gateway", () => {
            expect(problemsOf({ hosts: [], existingWaypoint: { name: "w" } })).to.deep.equal([
                'existingWaypoint: applies only to dataplane "AMBIENT"',
            ]);
            expect(
                problemsOf({
                    dataplane: "AMBIENT",
                    ...LOCKED,
                    hosts: [],
                    gateway: { replicas: 3 },
                    existingWaypoint: { name: "w" },
                }),
            ).to.deep.equal(["existingWaypoint: cannot be combined with gateway: MeshEgress does not manage it"]);
        });
    });
});
