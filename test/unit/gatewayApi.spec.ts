// The routing API GATEWAY_API: the exact Gateway API objects per mode (Istio's egress tasks, Gateway API tabs), the
// shared Gateway, and that hosts stay independent of each other.
import { expect } from "chai";
import fc from "fast-check";
import { ExternalHost, MeshEgressArgs } from "../../sdk";
import { EgressPlan, buildPlan } from "../../sdk/plan";
import { MeshEgressArgsError, validateArgs } from "../../sdk/validate";
import { externalHost } from "../support/arbitraries";
import { problemsOf } from "../support/problems";
import { manifest } from "../support/planned";

function plan(args: MeshEgressArgs, name = "egress"): EgressPlan {
    return buildPlan(validateArgs(name, { routingApi: "GATEWAY_API", ...args }));
}

function spec(p: EgressPlan, key: string): any {
    return manifest(p, key).spec;
}

const LISTENER_SET_PARENT = { group: "gateway.networking.k8s.io", kind: "Gateway", name: "egress-gateway" };
const ISTIO_MUTUAL = { mode: "Terminate", options: { "gateway.istio.io/tls-terminate-mode": "ISTIO_MUTUAL" } };
const SAME = { namespaces: { from: "Same" } };

function onListenerSet(name: string) {
    return [{ group: "gateway.networking.k8s.io", kind: "ListenerSet", name, sectionName: "egress" }];
}

function onServiceEntry(name: string, port: number) {
    return [{ group: "networking.istio.io", kind: "ServiceEntry", name, port }];
}

function backend(name: string, port: number, rule: string) {
    return [{ name: rule, backendRefs: [{ group: "networking.istio.io", kind: "Hostname", name, port }] }];
}

describe("routing API GATEWAY_API", () => {
    describe("the shared Gateway", () => {
        const seed = plan({ hosts: [{ host: "aliyun.com" }] });

        it("is of class istio, bound to the gateway Service, taking listeners from ListenerSets of its namespace", () => {
            expect(manifest(seed, "Gateway/istio-system/egress-gateway")).to.deep.equal({
                apiVersion: "gateway.networking.k8s.io/v1",
                kind: "Gateway",
                metadata: {
                    name: "egress-gateway",
                    namespace: "istio-system",
                    labels: {
                        "app.kubernetes.io/managed-by": "pulumi",
                        "app.kubernetes.io/part-of": "mesh-egress",
                        "mesh-egress.io/instance": "egress",
                    },
                },
                spec: {
                    gatewayClassName: "istio",
                    addresses: [{ type: "Hostname", value: "egress-gateway" }],
                    allowedListeners: { namespaces: { from: "Same" } },
                    listeners: [
                        {
                            name: "no-routes",
                            port: 15084,
                            protocol: "TCP",
                            allowedRoutes: {
                                namespaces: {
                                    from: "Selector",
                                    selector: {
                                        matchExpressions: [
                                            { key: "kubernetes.io/metadata.name", operator: "DoesNotExist" },
                                        ],
                                    },
                                },
                            },
                        },
                    ],
                },
            });
        });

        it("is bound to an existing gateway's Service", () => {
            const existing = plan({
                hosts: [{ host: "aliyun.com" }],
                existingGateway: { selector: { istio: "egressgateway" }, serviceName: "istio-egressgateway" },
            });
            expect(spec(existing, "Gateway/istio-system/egress-gateway").addresses).to.deep.equal([
                { type: "Hostname", value: "istio-egressgateway" },
            ]);
        });

        it("comes after the gateway Service and before every ListenerSet", () => {
            const keys = seed.objects.map((o) => o.key);
            const gateway = seed.objects.find((o) => o.key === "Gateway/istio-system/egress-gateway")!;
            expect(gateway.dependsOn).to.deep.equal(["Service/istio-system/egress-gateway"]);
            const listenerSet = seed.objects.find((o) => o.key === "ListenerSet/istio-system/egress-aliyun-com")!;
            expect(listenerSet.dependsOn).to.deep.equal(["Gateway/istio-system/egress-gateway"]);
            expect(keys.indexOf(gateway.key)).to.be.lessThan(keys.indexOf(listenerSet.key));
        });

        it("replaces every Istio Gateway and VirtualService", () => {
            const kinds = seed.objects.map((o) => `${o.manifest.apiVersion} ${o.manifest.kind}`);
            expect(kinds.filter((k) => k.startsWith("networking.istio.io"))).to.deep.equal([
                "networking.istio.io/v1 ServiceEntry",
                "networking.istio.io/v1 ServiceEntry",
                "networking.istio.io/v1 DestinationRule",
            ]);
        });
    });

    describe("HTTP (the seed), Istio mTLS on the gateway hop", () => {
        const seed = plan({ hosts: [{ host: "aliyun.com" }] });

        it("listens for the host on its port, terminating the hop's Istio mTLS, in a ListenerSet of its own", () => {
            expect(spec(seed, "ListenerSet/istio-system/egress-aliyun-com")).to.deep.equal({
                parentRef: LISTENER_SET_PARENT,
                listeners: [
                    {
                        name: "egress",
                        port: 80,
                        allowedRoutes: SAME,
                        hostname: "aliyun.com",
                        protocol: "HTTPS",
                        tls: ISTIO_MUTUAL,
                    },
                ],
            });
        });

        it("routes the gateway hop by Host to the host", () => {
            expect(spec(seed, "HTTPRoute/istio-system/egress-aliyun-com---gateway")).to.deep.equal({
                parentRefs: onListenerSet("egress-aliyun-com"),
                hostnames: ["aliyun.com"],
                rules: backend("aliyun.com", 80, "egress-gateway-to-host"),
            });
        });

        it("routes the mesh hop, attached to the host's ServiceEntry, to the host's hop alias", () => {
            expect(spec(seed, "HTTPRoute/istio-system/egress-aliyun-com")).to.deep.equal({
                parentRefs: onServiceEntry("egress-aliyun-com", 80),
                hostnames: ["aliyun.com"],
                rules: backend("egress-aliyun-com.gateway.mesh-egress.internal", 80, "mesh-to-egress-gateway"),
            });
        });

        it("keeps the hop alias and its Istio-mTLS DestinationRule", () => {
            expect(spec(seed, "DestinationRule/istio-system/egress-aliyun-com").trafficPolicy).to.deep.equal({
                tls: { mode: "ISTIO_MUTUAL", sni: "aliyun.com" },
            });
        });

        it("names the host's ListenerSet and routes in the hostObjects output", () => {
            expect(seed.hostObjects["aliyun.com"]).to.deep.equal({
                namespace: "istio-system",
                serviceEntry: "egress-aliyun-com",
                hopServiceEntry: "egress-aliyun-com---hop",
                gateway: "egress-aliyun-com",
                destinationRule: "egress-aliyun-com",
                routes: ["HTTPRoute/egress-aliyun-com---gateway", "HTTPRoute/egress-aliyun-com"],
                gatewayPort: 80,
            });
        });

        it("with the plain hop, listens with plain HTTP", () => {
            const plain = plan({ hosts: [{ host: "aliyun.com" }], gatewayHopTls: "DISABLE" });
            expect(spec(plain, "ListenerSet/istio-system/egress-aliyun-com").listeners).to.deep.equal([
                { name: "egress", port: 80, allowedRoutes: SAME, hostname: "aliyun.com", protocol: "HTTP" },
            ]);
        });
    });

    describe("TLS passthrough", () => {
        const stripe = { host: "api.stripe.com", mode: "TLS_PASSTHROUGH" } as const;

        it("plain hop: a passthrough listener and TLSRoutes by SNI on both hops", () => {
            const p = plan({ hosts: [stripe], gatewayHopTls: "DISABLE" });
            expect(spec(p, "ListenerSet/istio-system/egress-api-stripe-com").listeners).to.deep.equal([
                {
                    name: "egress",
                    port: 443,
                    allowedRoutes: SAME,
                    hostname: "api.stripe.com",
                    protocol: "TLS",
                    tls: { mode: "Passthrough" },
                },
            ]);
            expect(spec(p, "TLSRoute/istio-system/egress-api-stripe-com---gateway")).to.deep.equal({
                parentRefs: onListenerSet("egress-api-stripe-com"),
                hostnames: ["api.stripe.com"],
                rules: backend("api.stripe.com", 443, "egress-gateway-to-host"),
            });
            expect(spec(p, "TLSRoute/istio-system/egress-api-stripe-com")).to.deep.equal({
                parentRefs: onServiceEntry("egress-api-stripe-com", 443),
                hostnames: ["api.stripe.com"],
                rules: backend("egress-api-stripe-com.gateway.mesh-egress.internal", 443, "mesh-to-egress-gateway"),
            });
        });

        it("mutual-TLS hop: the listener terminates the hop for the host's SNI and a TCPRoute forwards the app's TLS", () => {
            const p = plan({ hosts: [stripe] });
            expect(spec(p, "ListenerSet/istio-system/egress-api-stripe-com").listeners).to.deep.equal([
                {
                    name: "egress",
                    port: 443,
                    allowedRoutes: SAME,
                    hostname: "api.stripe.com",
                    protocol: "TLS",
                    tls: ISTIO_MUTUAL,
                },
            ]);
            expect(spec(p, "TCPRoute/istio-system/egress-api-stripe-com---gateway")).to.deep.equal({
                parentRefs: onListenerSet("egress-api-stripe-com"),
                rules: backend("api.stripe.com", 443, "egress-gateway-to-host"),
            });
        });

        it("a wildcard listens for the wildcard and sends every name under it to the upstream only the gateway sees", () => {
            const p = plan({
                hosts: [{ host: "*.wikipedia.org", mode: "TLS_PASSTHROUGH", upstreamHost: "www.wikipedia.org" }],
                gatewayHopTls: "DISABLE",
            });
            expect(spec(p, "ListenerSet/istio-system/egress-star---wikipedia-org").listeners[0].hostname).to.equal(
                "*.wikipedia.org",
            );
            expect(spec(p, "TLSRoute/istio-system/egress-star---wikipedia-org---gateway").rules).to.deep.equal(
                backend("egress-star---wikipedia-org.upstream.mesh-egress.internal", 443, "egress-gateway-to-host"),
            );
        });
    });

    it("TLS origination routes the gateway hop to the host's TLS port under the alias the origination rule covers", () => {
        const p = plan({ hosts: [{ host: "edition.cnn.com", mode: "TLS_ORIGINATION" }] });
        expect(spec(p, "HTTPRoute/istio-system/egress-edition-cnn-com---gateway").rules).to.deep.equal(
            backend("egress-edition-cnn-com.upstream.mesh-egress.internal", 443, "egress-gateway-to-host"),
        );
        expect(spec(p, "DestinationRule/istio-system/egress-edition-cnn-com---tls").host).to.equal(
            "egress-edition-cnn-com.upstream.mesh-egress.internal",
        );
    });

    describe("TCP", () => {
        const mongo: ExternalHost = {
            host: "mongo.example.com",
            mode: "TCP",
            port: 27017,
            addresses: ["192.0.2.0/24"],
            endpoints: ["192.0.2.10"],
        };

        it("plain hop: a TCP listener on the host's own gateway port (TCP has no name to match) and TCPRoutes", () => {
            const p = plan({ hosts: [{ ...mongo, gatewayPort: 20017 }], gatewayHopTls: "DISABLE" });
            expect(spec(p, "ListenerSet/istio-system/egress-mongo-example-com").listeners).to.deep.equal([
                { name: "egress", port: 20017, allowedRoutes: SAME, protocol: "TCP" },
            ]);
            expect(spec(p, "TCPRoute/istio-system/egress-mongo-example-com")).to.deep.equal({
                parentRefs: onServiceEntry("egress-mongo-example-com", 27017),
                rules: backend(
                    "egress-mongo-example-com.gateway.mesh-egress.internal",
                    20017,
                    "mesh-to-egress-gateway",
                ),
            });
        });

        it("mutual-TLS hop: the listener matches the host's SNI on the shared port", () => {
            const p = plan({ hosts: [mongo] });
            expect(spec(p, "ListenerSet/istio-system/egress-mongo-example-com").listeners).to.deep.equal([
                {
                    name: "egress",
                    port: 27017,
                    allowedRoutes: SAME,
                    hostname: "mongo.example.com",
                    protocol: "TLS",
                    tls: ISTIO_MUTUAL,
                },
            ]);
        });
    });

    it("adding, removing or reordering hosts changes no object of another host, nor the shared Gateway", () => {
        fc.assert(
            fc.property(
                fc.uniqueArray(externalHost, { minLength: 2, maxLength: 6, selector: (h) => h.host }),
                (hosts) => {
                    let all: EgressPlan;
                    let withoutFirst: EgressPlan;
                    try {
                        all = plan({ hosts });
                        withoutFirst = plan({ hosts: [...hosts.slice(1)].reverse() });
                    } catch (error) {
                        if (error instanceof MeshEgressArgsError) return;
                        throw error;
                    }
                    const objects = (p: EgressPlan) =>
                        new Map(p.objects.filter((o) => o.host !== hosts[0].host).map((o) => [o.key, o.manifest]));
                    const before = objects(all);
                    for (const [key, manifest] of objects(withoutFirst)) {
                        if (key.startsWith("Service/") || key.startsWith("NetworkPolicy/")) continue; // ports are shared
                        expect(manifest, key).to.deep.equal(before.get(key));
                    }
                },
            ),
            { seed: 20261201, numRuns: 150 },
        );
    });

    it("tells reviewers which routing API the routes use", () => {
        expect(plan({ hosts: [{ host: "aliyun.com" }] }).summary.split("\n")[0]).to.equal(
            "outbound traffic policy: REGISTRY_ONLY (MESH_CONFIG); gateway hop: ISTIO_MUTUAL; routes: GATEWAY_API; " +
                "gateway: egress-gateway.istio-system",
        );
    });

    describe("validation", () => {
        it("refuses an Istio release older than 1.31, naming the field and the release", () => {
            expect(problemsOf({ hosts: [], routingApi: "GATEWAY_API", istio: { version: "1.30" } })).to.deep.equal([
                'routingApi: "GATEWAY_API" needs istio.version 1.31 or later (the first release verified to route ' +
                    'with ListenerSet and TLSRoute of gateway.networking.k8s.io/v1), not 1.30; use "ISTIO"',
            ]);
        });

        it("refuses ASM's IstioGateway, whose Service no Gateway API Gateway can be bound to", () => {
            expect(
                problemsOf({
                    hosts: [],
                    routingApi: "GATEWAY_API",
                    gateway: { asm: { clusterIds: ["c1"] } },
                    istioCluster: { kubeconfig: "asm" },
                }),
            ).to.deep.equal([
                'gateway.asm: cannot be combined with routingApi "GATEWAY_API": ASM names and configures its ' +
                    'IstioGateway\'s Service itself, so no Gateway API Gateway can be bound to it; use routingApi "ISTIO"',
            ]);
        });

        it("refuses an unknown routing API", () => {
            expect(problemsOf({ hosts: [], routingApi: "GAMMA" as never })).to.deep.equal([
                'routingApi: "GAMMA" is not one of ISTIO, GATEWAY_API',
            ]);
        });
    });
});
