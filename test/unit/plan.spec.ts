// The exact objects of each recipe (Istio task "Egress Gateways": https://istio.io/latest/docs/tasks/traffic-management/egress/egress-gateway/),
// the gateway workload (istio/gateway Helm chart), the policy, and the plan's stability rules.
import { expect } from "chai";
import { MeshEgressArgs } from "../../sdk";
import { EgressPlan, buildPlan } from "../../sdk/plan";
import { derivedPort } from "../../sdk/validate/ports";
import { validateArgs } from "../../sdk/validate";
import { LABELS, manifest } from "../support/planned";

function plan(args: MeshEgressArgs, name = "egress"): EgressPlan {
    return buildPlan(validateArgs(name, args));
}

const HOP = "egress-aliyun-com.gateway.mesh-egress.internal";
const STRIPE_HOP = "egress-api-stripe-com.gateway.mesh-egress.internal";

function hostMetadata(name: string, host: string) {
    return { name, namespace: "istio-system", labels: LABELS, annotations: { "mesh-egress.io/host": host } };
}

describe("the plan", () => {
    describe("recipe A: plain HTTP (the seed's aliyun.com on port 80), Istio mTLS on the gateway hop by default", () => {
        const seed = plan({ hosts: [{ host: "aliyun.com" }] });

        it("registers the host with DNS resolution as a mesh-external HTTP service", () => {
            expect(manifest(seed, "ServiceEntry/istio-system/egress-aliyun-com")).to.deep.equal({
                apiVersion: "networking.istio.io/v1",
                kind: "ServiceEntry",
                metadata: hostMetadata("egress-aliyun-com", "aliyun.com"),
                spec: {
                    hosts: ["aliyun.com"],
                    location: "MESH_EXTERNAL",
                    resolution: "DNS",
                    ports: [{ number: 80, name: "http-80", protocol: "HTTP" }],
                    exportTo: ["*"],
                },
            });
        });
        it("opens an HTTPS server on the gateway that terminates the hop's Istio mTLS", () => {
            expect(manifest(seed, "Gateway/istio-system/egress-aliyun-com")).to.deep.equal({
                apiVersion: "networking.istio.io/v1",
                kind: "Gateway",
                metadata: hostMetadata("egress-aliyun-com", "aliyun.com"),
                spec: {
                    selector: { istio: "egressgateway", app: "egress-gateway" },
                    servers: [
                        {
                            port: { number: 80, name: "https-80", protocol: "HTTPS" },
                            hosts: ["aliyun.com"],
                            tls: { mode: "ISTIO_MUTUAL" },
                        },
                    ],
                },
            });
        });
        it("declares the gateway pods as the host's hop alias, visible where the host is", () => {
            expect(manifest(seed, "ServiceEntry/istio-system/egress-aliyun-com---hop")).to.deep.equal({
                apiVersion: "networking.istio.io/v1",
                kind: "ServiceEntry",
                metadata: hostMetadata("egress-aliyun-com---hop", "aliyun.com"),
                spec: {
                    hosts: [HOP],
                    location: "MESH_INTERNAL",
                    resolution: "STATIC",
                    workloadSelector: { labels: { istio: "egressgateway", app: "egress-gateway" } },
                    ports: [{ number: 80, name: "http-80", protocol: "HTTP", targetPort: 80 }],
                    exportTo: ["*"],
                },
            });
        });
        it("wraps the hop in Istio mTLS with SNI = the host", () => {
            expect(manifest(seed, "DestinationRule/istio-system/egress-aliyun-com")).to.deep.equal({
                apiVersion: "networking.istio.io/v1",
                kind: "DestinationRule",
                metadata: hostMetadata("egress-aliyun-com", "aliyun.com"),
                spec: {
                    host: HOP,
                    exportTo: ["*"],
                    trafficPolicy: { tls: { mode: "ISTIO_MUTUAL", sni: "aliyun.com" } },
                },
            });
        });
        it("with the plain hop, opens a plain HTTP server and a hop rule that explicitly disables TLS", () => {
            const plain = plan({ hosts: [{ host: "aliyun.com" }], gatewayHopTls: "DISABLE" });
            expect((manifest(plain, "Gateway/istio-system/egress-aliyun-com").spec as any).servers).to.deep.equal([
                { port: { number: 80, name: "http-80", protocol: "HTTP" }, hosts: ["aliyun.com"] },
            ]);
            // Explicit, or auto mTLS would wrap the hop for gateway endpoints labelled for Istio mTLS.
            expect(
                (manifest(plain, "DestinationRule/istio-system/egress-aliyun-com").spec as any).trafficPolicy,
            ).to.deep.equal({ tls: { mode: "DISABLE" } });
        });
        it("routes mesh → gateway → host in one VirtualService", () => {
            expect(manifest(seed, "VirtualService/istio-system/egress-aliyun-com")).to.deep.equal({
                apiVersion: "networking.istio.io/v1",
                kind: "VirtualService",
                metadata: hostMetadata("egress-aliyun-com", "aliyun.com"),
                spec: {
                    hosts: ["aliyun.com"],
                    gateways: ["mesh", "istio-system/egress-aliyun-com"],
                    exportTo: ["*"],
                    http: [
                        {
                            name: "mesh-to-egress-gateway",
                            match: [{ gateways: ["mesh"], port: 80 }],
                            route: [{ destination: { host: HOP, port: { number: 80 } } }],
                        },
                        {
                            name: "egress-gateway-to-host",
                            match: [{ gateways: ["istio-system/egress-aliyun-com"], port: 80 }],
                            route: [{ destination: { host: "aliyun.com", port: { number: 80 } } }],
                        },
                    ],
                },
            });
        });
    });

    describe("recipe B: TLS passthrough by SNI (plain hop)", () => {
        const tls = plan({ hosts: [{ host: "api.stripe.com", mode: "TLS_PASSTHROUGH" }], gatewayHopTls: "DISABLE" });
        it("registers the host as a TLS service on 443", () => {
            expect((manifest(tls, "ServiceEntry/istio-system/egress-api-stripe-com").spec as any).ports).to.deep.equal([
                { number: 443, name: "tls-443", protocol: "TLS" },
            ]);
        });
        it("opens a passthrough TLS server on the gateway", () => {
            expect((manifest(tls, "Gateway/istio-system/egress-api-stripe-com").spec as any).servers).to.deep.equal([
                {
                    port: { number: 443, name: "tls-443", protocol: "TLS" },
                    hosts: ["api.stripe.com"],
                    tls: { mode: "PASSTHROUGH" },
                },
            ]);
        });
        it("routes both hops by SNI", () => {
            const spec = manifest(tls, "VirtualService/istio-system/egress-api-stripe-com").spec as any;
            expect(spec.http).to.equal(undefined);
            expect(spec.tls).to.deep.equal([
                {
                    match: [{ gateways: ["mesh"], port: 443, sniHosts: ["api.stripe.com"] }],
                    route: [{ destination: { host: STRIPE_HOP, port: { number: 443 } } }],
                },
                {
                    match: [
                        { gateways: ["istio-system/egress-api-stripe-com"], port: 443, sniHosts: ["api.stripe.com"] },
                    ],
                    route: [{ destination: { host: "api.stripe.com", port: { number: 443 } } }],
                },
            ]);
        });
    });

    describe("recipe D: TLS passthrough inside the gateway hop's Istio mTLS", () => {
        const tls = plan({ hosts: [{ host: "api.stripe.com", mode: "TLS_PASSTHROUGH" }] });
        it("terminates the hop's mTLS on the host's own port, in a filter chain for the host's SNI alone", () => {
            expect((manifest(tls, "Gateway/istio-system/egress-api-stripe-com").spec as any).servers).to.deep.equal([
                {
                    port: { number: 443, name: "tls-443", protocol: "TLS" },
                    hosts: ["api.stripe.com"],
                    tls: { mode: "ISTIO_MUTUAL" },
                },
            ]);
        });
        it("wraps the host's traffic to its hop alias in Istio mTLS with SNI = the host", () => {
            expect(manifest(tls, "DestinationRule/istio-system/egress-api-stripe-com").spec).to.deep.equal({
                host: STRIPE_HOP,
                exportTo: ["*"],
                trafficPolicy: { tls: { mode: "ISTIO_MUTUAL", sni: "api.stripe.com" } },
            });
        });
        it("declares the hop alias as TLS on an address never routed, so it leaves the app's port listener alone", () => {
            const spec = manifest(tls, "ServiceEntry/istio-system/egress-api-stripe-com---hop").spec as any;
            expect(spec.ports).to.deep.equal([{ number: 443, name: "tls-443", protocol: "TLS", targetPort: 443 }]);
            // On the app's port of every address, its SNI chain would put a TLS inspector on that port's listener,
            // which holds a plain TCP client until it has sent five bytes (the lab saw a 4-byte request hang).
            expect(spec.addresses).to.deep.equal(["240.240.240.240"]);
        });
        it("routes the mesh hop by SNI and the gateway hop by its server", () => {
            const spec = manifest(tls, "VirtualService/istio-system/egress-api-stripe-com").spec as any;
            expect(spec.tls).to.deep.equal([
                {
                    match: [{ gateways: ["mesh"], port: 443, sniHosts: ["api.stripe.com"] }],
                    route: [{ destination: { host: STRIPE_HOP, port: { number: 443 } } }],
                },
            ]);
            expect(spec.tcp).to.deep.equal([
                {
                    match: [{ gateways: ["istio-system/egress-api-stripe-com"], port: 443 }],
                    route: [{ destination: { host: "api.stripe.com", port: { number: 443 } } }],
                },
            ]);
        });
        it("puts the app's port on the gateway Service, once however many hosts share it", () => {
            const two = plan({
                hosts: [
                    { host: "api.stripe.com", mode: "TLS_PASSTHROUGH" },
                    { host: "api.github.com", mode: "TLS_PASSTHROUGH" },
                ],
            });
            expect((manifest(two, "Service/istio-system/egress-gateway").spec as any).ports).to.deep.equal([
                { name: "status-port", port: 15021, targetPort: 15021, protocol: "TCP", appProtocol: "tcp" },
                { name: "tls-443", port: 443, targetPort: 443, protocol: "TCP" },
            ]);
        });
    });

    describe('recipe C: TLS origination at the gateway (task "Egress Gateways with TLS Origination")', () => {
        const originate = plan({ hosts: [{ host: "edition.cnn.com", mode: "TLS_ORIGINATION" }] });
        it("shows clients only the app's HTTP port, so https://<host> from a client cannot skip the gateway", () => {
            expect(
                (manifest(originate, "ServiceEntry/istio-system/egress-edition-cnn-com").spec as any).ports,
            ).to.deep.equal([{ number: 80, name: "http-80", protocol: "HTTP" }]);
        });
        it("declares the host's HTTPS port under an alias only the gateway's namespace sees, resolving the host", () => {
            expect(
                manifest(originate, "ServiceEntry/istio-system/egress-edition-cnn-com---upstream").spec,
            ).to.deep.equal({
                hosts: ["egress-edition-cnn-com.upstream.mesh-egress.internal"],
                location: "MESH_EXTERNAL",
                resolution: "DNS",
                endpoints: [{ address: "edition.cnn.com" }],
                ports: [{ number: 443, name: "https-443", protocol: "HTTPS" }],
                exportTo: ["."],
            });
        });
        it("routes the gateway hop to the alias's port 443, in a VirtualService only the gateway's namespace sees", () => {
            expect(
                manifest(originate, "VirtualService/istio-system/egress-edition-cnn-com---gateway").spec,
            ).to.deep.equal({
                hosts: ["edition.cnn.com"],
                gateways: ["istio-system/egress-edition-cnn-com"],
                exportTo: ["."],
                http: [
                    {
                        name: "egress-gateway-to-host",
                        match: [{ gateways: ["istio-system/egress-edition-cnn-com"], port: 80 }],
                        route: [
                            {
                                destination: {
                                    host: "egress-edition-cnn-com.upstream.mesh-egress.internal",
                                    port: { number: 443 },
                                },
                            },
                        ],
                    },
                ],
            });
        });
        it("gives clients only the mesh hop, which names no host they cannot see", () => {
            expect(manifest(originate, "VirtualService/istio-system/egress-edition-cnn-com").spec).to.deep.equal({
                hosts: ["edition.cnn.com"],
                gateways: ["mesh"],
                exportTo: ["*"],
                http: [
                    {
                        name: "mesh-to-egress-gateway",
                        match: [{ gateways: ["mesh"], port: 80 }],
                        route: [
                            {
                                destination: {
                                    host: "egress-edition-cnn-com.gateway.mesh-egress.internal",
                                    port: { number: 80 },
                                },
                            },
                        ],
                    },
                ],
            });
        });
        it("originates TLS with SNI from the gateway, verifying the host against the system roots, in a rule only the gateway's namespace sees", () => {
            expect(manifest(originate, "DestinationRule/istio-system/egress-edition-cnn-com---tls")).to.deep.equal({
                apiVersion: "networking.istio.io/v1",
                kind: "DestinationRule",
                metadata: hostMetadata("egress-edition-cnn-com---tls", "edition.cnn.com"),
                spec: {
                    host: "egress-edition-cnn-com.upstream.mesh-egress.internal",
                    exportTo: ["."],
                    trafficPolicy: {
                        portLevelSettings: [
                            {
                                port: { number: 443 },
                                tls: {
                                    mode: "SIMPLE",
                                    sni: "edition.cnn.com",
                                    caCertificates: "/etc/ssl/certs/ca-certificates.crt",
                                },
                            },
                        ],
                    },
                },
            });
        });
        it("verifies the host with a CA file and names when asked", () => {
            const verified = plan({
                hosts: [
                    {
                        host: "api.example.com",
                        mode: "TLS_ORIGINATION",
                        externalPort: 8443,
                        tls: {
                            caCertificates: "/etc/certs/ca.pem",
                            subjectAltNames: ["api.example.com"],
                            sni: "edge.example.com",
                        },
                    },
                ],
            });
            expect(
                (manifest(verified, "DestinationRule/istio-system/egress-api-example-com---tls").spec as any)
                    .trafficPolicy,
            ).to.deep.equal({
                portLevelSettings: [
                    {
                        port: { number: 8443 },
                        tls: {
                            mode: "SIMPLE",
                            sni: "edge.example.com",
                            caCertificates: "/etc/certs/ca.pem",
                            subjectAltNames: ["api.example.com"],
                        },
                    },
                ],
            });
        });
        it("creates the origination rule before the VirtualService", () => {
            expect(
                originate.objects.find((o) => o.key === "VirtualService/istio-system/egress-edition-cnn-com")!
                    .dependsOn,
            ).to.include("DestinationRule/istio-system/egress-edition-cnn-com---tls");
        });
    });

    describe("recipe E: mutual TLS origination with a client certificate", () => {
        const mutual = plan({
            hosts: [
                {
                    host: "my-nginx.example.com",
                    mode: "MUTUAL_TLS_ORIGINATION",
                    tls: { credentialName: "client-credential" },
                },
            ],
        });
        it("presents the Secret's client certificate", () => {
            expect(
                (manifest(mutual, "DestinationRule/istio-system/egress-my--nginx-example-com---tls").spec as any)
                    .trafficPolicy,
            ).to.deep.equal({
                portLevelSettings: [
                    {
                        port: { number: 443 },
                        tls: { mode: "MUTUAL", sni: "my-nginx.example.com", credentialName: "client-credential" },
                    },
                ],
            });
        });
        it("lets the gateway's ServiceAccount read Secrets in its namespace", () => {
            const metadata = {
                name: "egress-gateway-sds",
                namespace: "istio-system",
                labels: { ...LABELS, istio: "egressgateway", app: "egress-gateway" },
            };
            expect(manifest(mutual, "Role/istio-system/egress-gateway-sds")).to.deep.equal({
                apiVersion: "rbac.authorization.k8s.io/v1",
                kind: "Role",
                metadata,
                rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "watch", "list"] }],
            });
            expect(manifest(mutual, "RoleBinding/istio-system/egress-gateway-sds")).to.deep.equal({
                apiVersion: "rbac.authorization.k8s.io/v1",
                kind: "RoleBinding",
                metadata,
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "egress-gateway-sds" },
                subjects: [{ kind: "ServiceAccount", name: "egress-gateway" }],
            });
        });
        it("creates the rule naming the credential only after the Role and RoleBinding, which istiod checks once", () => {
            expect(
                mutual.objects.find((o) => o.key === "DestinationRule/istio-system/egress-my--nginx-example-com---tls")!
                    .dependsOn,
            ).to.deep.equal(["Role/istio-system/egress-gateway-sds", "RoleBinding/istio-system/egress-gateway-sds"]);
        });
        it("grants nothing when no host names a credential", () => {
            expect(
                plan({ hosts: [{ host: "a.com", mode: "TLS_ORIGINATION" }] }).objects.map((o) => o.manifest.kind),
            ).to.not.include("Role");
        });
    });

    describe('recipe F: wildcard hosts through one hosting server (task "Egress using Wildcard Hosts")', () => {
        const wild = plan({
            hosts: [{ host: "*.wikipedia.org", mode: "TLS_PASSTHROUGH", upstreamHost: "www.wikipedia.org" }],
            gatewayHopTls: "DISABLE",
        });
        const name = "egress-star---wikipedia-org";
        it("declares the wildcard without DNS resolution", () => {
            expect(manifest(wild, `ServiceEntry/istio-system/${name}`).spec).to.deep.equal({
                hosts: ["*.wikipedia.org"],
                location: "MESH_EXTERNAL",
                resolution: "NONE",
                ports: [{ number: 443, name: "tls-443", protocol: "TLS" }],
                exportTo: ["*"],
            });
        });
        it("declares the concrete upstream with DNS, visible only to the gateway's namespace", () => {
            expect(manifest(wild, `ServiceEntry/istio-system/${name}---upstream`).spec).to.deep.equal({
                hosts: ["egress-star---wikipedia-org.upstream.mesh-egress.internal"],
                location: "MESH_EXTERNAL",
                resolution: "DNS",
                endpoints: [{ address: "www.wikipedia.org" }],
                ports: [{ number: 443, name: "tls-443", protocol: "TLS" }],
                exportTo: ["."],
            });
        });
        it("routes every name under the wildcard to the upstream", () => {
            expect((manifest(wild, `VirtualService/istio-system/${name}---gateway`).spec as any).tls[0]).to.deep.equal({
                match: [{ gateways: [`istio-system/${name}`], port: 443, sniHosts: ["*.wikipedia.org"] }],
                route: [
                    {
                        destination: {
                            host: "egress-star---wikipedia-org.upstream.mesh-egress.internal",
                            port: { number: 443 },
                        },
                    },
                ],
            });
        });
        it("sends the upstream's name as the hop's SNI with the mutual-TLS hop", () => {
            const mutual = plan({
                hosts: [{ host: "*.wikipedia.org", mode: "TLS_PASSTHROUGH", upstreamHost: "www.wikipedia.org" }],
            });
            expect(
                (manifest(mutual, `DestinationRule/istio-system/${name}`).spec as any).trafficPolicy.tls,
            ).to.deep.equal({
                mode: "ISTIO_MUTUAL",
                sni: "www.wikipedia.org",
            });
        });
        it("sends a name under the wildcard as the hop's SNI when the upstream is of another domain", () => {
            // The gateway's server matches the wildcard: an SNI outside it would find no filter chain.
            const elsewhere = plan({
                hosts: [{ host: "*.wikipedia.org", mode: "TLS_PASSTHROUGH", upstreamHost: "wiki.mirror.example" }],
            });
            expect(
                (manifest(elsewhere, `DestinationRule/istio-system/${name}`).spec as any).trafficPolicy.tls,
            ).to.deep.equal({
                mode: "ISTIO_MUTUAL",
                sni: "egress.wikipedia.org",
            });
        });
    });

    describe("recipe H: wildcards the gateway resolves name by name (DYNAMIC_DNS at the gateway, Istio 1.31)", () => {
        const perName = plan({
            hosts: [
                { host: "*.example.net" },
                { host: "*.api.example", port: 8080 },
                { host: "*.secure.example", mode: "TLS_ORIGINATION" },
            ],
        });
        const name = "egress-star---example-net";
        const gatewayRoute = (objectName: string) =>
            (manifest(perName, `VirtualService/istio-system/${objectName}---gateway`).spec as any).http[0];
        it("declares the wildcard to clients without resolution: they only send its names to the gateway", () => {
            expect(manifest(perName, `ServiceEntry/istio-system/${name}`).spec).to.deep.equal({
                hosts: ["*.example.net"],
                location: "MESH_EXTERNAL",
                resolution: "NONE",
                ports: [{ number: 80, name: "http-80", protocol: "HTTP" }],
                exportTo: ["*"],
            });
        });
        it("declares a wildcard alias with DYNAMIC_DNS only the gateway's namespace sees", () => {
            expect(manifest(perName, `ServiceEntry/istio-system/${name}---upstream`).spec).to.deep.equal({
                hosts: ["*.egress-star---example-net.upstream.mesh-egress.internal"],
                location: "MESH_EXTERNAL",
                resolution: "DYNAMIC_DNS",
                ports: [{ number: 80, name: "http-80", protocol: "HTTP" }],
                exportTo: ["."],
            });
        });
        it("routes the gateway hop to the alias only for a Host without a port or with port 80", () => {
            expect(gatewayRoute(name)).to.deep.equal({
                name: "egress-gateway-to-host",
                match: [{ gateways: [`istio-system/${name}`], port: 80, authority: { regex: "[^:]+(:80)?" } }],
                route: [
                    {
                        destination: {
                            host: "*.egress-star---example-net.upstream.mesh-egress.internal",
                            port: { number: 80 },
                        },
                    },
                ],
            });
        });
        it("on another port, takes only a Host that names that port (the port the gateway then connects to)", () => {
            expect(gatewayRoute("egress-star---api-example").match[0].authority).to.deep.equal({
                regex: "[^:]+:8080",
            });
        });
        it("originates TLS to each name on 443 with no fixed SNI, for a Host that names no port", () => {
            const origination = "egress-star---secure-example";
            expect(gatewayRoute(origination).match[0].authority).to.deep.equal({ regex: "[^:]+" });
            expect(manifest(perName, `DestinationRule/istio-system/${origination}---tls`).spec).to.deep.equal({
                host: "*.egress-star---secure-example.upstream.mesh-egress.internal",
                exportTo: ["."],
                trafficPolicy: {
                    portLevelSettings: [
                        {
                            port: { number: 443 },
                            tls: { mode: "SIMPLE", caCertificates: "/etc/ssl/certs/ca-certificates.crt" },
                        },
                    ],
                },
            });
            expect(
                (manifest(perName, `ServiceEntry/istio-system/${origination}---upstream`).spec as any).ports,
            ).to.deep.equal([{ number: 443, name: "http-443", protocol: "HTTP" }]);
        });
    });

    describe("recipe G: TCP and CIDR destinations", () => {
        const tcp = plan({
            hosts: [
                {
                    host: "mongo.example.com",
                    mode: "TCP",
                    port: 27017,
                    addresses: ["192.0.2.0/24"],
                    endpoints: ["192.0.2.10", "192.0.2.11"],
                },
            ],
        });
        it("declares the CIDR, the TCP port and the static endpoints", () => {
            expect(manifest(tcp, "ServiceEntry/istio-system/egress-mongo-example-com").spec).to.deep.equal({
                hosts: ["mongo.example.com"],
                location: "MESH_EXTERNAL",
                resolution: "STATIC",
                ports: [{ number: 27017, name: "tcp-27017", protocol: "TCP" }],
                exportTo: ["*"],
                addresses: ["192.0.2.0/24"],
                endpoints: [{ address: "192.0.2.10" }, { address: "192.0.2.11" }],
            });
        });
        it("terminates the hop's mTLS on the destination's port, in a filter chain for its SNI", () => {
            expect((manifest(tcp, "Gateway/istio-system/egress-mongo-example-com").spec as any).servers).to.deep.equal([
                {
                    port: { number: 27017, name: "tls-27017", protocol: "TLS" },
                    hosts: ["mongo.example.com"],
                    tls: { mode: "ISTIO_MUTUAL" },
                },
            ]);
        });
        it("routes both hops as TCP, the mesh hop by port (the ServiceEntry's addresses give the CIDR)", () => {
            expect(
                (manifest(tcp, "VirtualService/istio-system/egress-mongo-example-com").spec as any).tcp,
            ).to.deep.equal([
                {
                    match: [{ gateways: ["mesh"], port: 27017 }],
                    route: [
                        {
                            destination: {
                                host: "egress-mongo-example-com.gateway.mesh-egress.internal",
                                port: { number: 27017 },
                            },
                        },
                    ],
                },
                {
                    match: [{ gateways: ["istio-system/egress-mongo-example-com"], port: 27017 }],
                    route: [{ destination: { host: "mongo.example.com", port: { number: 27017 } } }],
                },
            ]);
        });
        it("resolves the host with DNS and opens a plain TCP server with the plain hop", () => {
            const plain = plan({
                hosts: [{ host: "db.example.com", mode: "TCP", port: 5432 }],
                gatewayHopTls: "DISABLE",
            });
            const port = derivedPort("db.example.com");
            expect(
                (manifest(plain, "ServiceEntry/istio-system/egress-db-example-com").spec as any).resolution,
            ).to.equal("DNS");
            expect((manifest(plain, "Gateway/istio-system/egress-db-example-com").spec as any).servers).to.deep.equal([
                { port: { number: port, name: `tcp-${port}`, protocol: "TCP" }, hosts: ["db.example.com"] },
            ]);
            expect((manifest(plain, "Service/istio-system/egress-gateway").spec as any).ports[1]).to.deep.equal({
                name: `tcp-${port}`,
                port,
                targetPort: port,
                protocol: "TCP",
            });
        });
    });

    describe("visibility", () => {
        it("exports a host's objects to exportTo, and its ServiceEntry and VirtualService to the gateway too", () => {
            const scoped = plan({ hosts: [{ host: "aliyun.com" }], exportTo: ["payments"] });
            const exportTo = (kind: string, name = "egress-aliyun-com") =>
                (manifest(scoped, `${kind}/istio-system/${name}`).spec as any).exportTo;
            expect(exportTo("ServiceEntry")).to.deep.equal(["istio-system", "payments"]);
            expect(exportTo("VirtualService")).to.deep.equal(["istio-system", "payments"]);
            expect(exportTo("ServiceEntry", "egress-aliyun-com---hop")).to.deep.equal(["payments"]);
            expect(exportTo("DestinationRule")).to.deep.equal(["payments"]);
        });
        it("exports a host with from rules only to the namespaces they name (and the gateway's)", () => {
            const scoped = plan({
                hosts: [{ host: "aliyun.com", from: [{ namespace: "payments" }, { namespace: "checkout" }] }],
            });
            const exportTo = (kind: string, name = "egress-aliyun-com") =>
                (manifest(scoped, `${kind}/istio-system/${name}`).spec as any).exportTo;
            expect(exportTo("ServiceEntry")).to.deep.equal(["checkout", "istio-system", "payments"]);
            expect(exportTo("ServiceEntry", "egress-aliyun-com---hop")).to.deep.equal(["checkout", "payments"]);
            expect(exportTo("DestinationRule")).to.deep.equal(["checkout", "payments"]);
        });
        it('spells exportTo "." as the gateway\'s namespace, which every kind resolves alike in the root namespace', () => {
            const scoped = plan({ hosts: [{ host: "aliyun.com" }], exportTo: [".", "payments"] });
            expect(
                (manifest(scoped, "DestinationRule/istio-system/egress-aliyun-com").spec as any).exportTo,
            ).to.deep.equal(["istio-system", "payments"]);
        });
        it("shows the gateway Service only to the gateway's own namespace", () => {
            const seed = plan({ hosts: [{ host: "aliyun.com" }] });
            expect(manifest(seed, "Service/istio-system/egress-gateway").metadata.annotations).to.deep.equal({
                "networking.istio.io/exportTo": ".",
            });
        });
    });

    describe("the gateway workload", () => {
        const p = plan({
            hosts: [{ host: "aliyun.com" }, { host: "api.stripe.com", mode: "TLS_PASSTHROUGH" }],
            gatewayHopTls: "DISABLE",
        });
        const metadata = {
            name: "egress-gateway",
            namespace: "istio-system",
            labels: { ...LABELS, istio: "egressgateway", app: "egress-gateway" },
        };

        it("creates ServiceAccount, Deployment, Service and PodDisruptionBudget, in that order", () => {
            expect(p.objects.filter((o) => o.cluster === "workload").map((o) => o.key)).to.deep.equal([
                "ServiceAccount/istio-system/egress-gateway",
                "Deployment/istio-system/egress-gateway",
                "Service/istio-system/egress-gateway",
                "PodDisruptionBudget/istio-system/egress-gateway",
            ]);
        });
        it("injects the gateway template into a two-replica Deployment spread across nodes", () => {
            expect(manifest(p, "Deployment/istio-system/egress-gateway")).to.deep.equal({
                apiVersion: "apps/v1",
                kind: "Deployment",
                metadata,
                spec: {
                    replicas: 2,
                    selector: { matchLabels: { istio: "egressgateway", app: "egress-gateway" } },
                    template: {
                        metadata: {
                            labels: {
                                istio: "egressgateway",
                                app: "egress-gateway",
                                "sidecar.istio.io/inject": "true",
                            },
                            annotations: { "inject.istio.io/templates": "gateway" },
                        },
                        spec: {
                            serviceAccountName: "egress-gateway",
                            securityContext: { sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }] },
                            containers: [
                                {
                                    name: "istio-proxy",
                                    image: "auto",
                                    securityContext: {
                                        allowPrivilegeEscalation: false,
                                        privileged: false,
                                        readOnlyRootFilesystem: true,
                                        runAsNonRoot: true,
                                        runAsUser: 1337,
                                        runAsGroup: 1337,
                                        capabilities: { drop: ["ALL"] },
                                    },
                                    resources: {
                                        requests: { cpu: "100m", memory: "128Mi" },
                                        limits: { cpu: "2", memory: "1Gi" },
                                    },
                                },
                            ],
                            topologySpreadConstraints: [
                                {
                                    maxSkew: 1,
                                    topologyKey: "kubernetes.io/hostname",
                                    whenUnsatisfiable: "ScheduleAnyway",
                                    labelSelector: { matchLabels: { istio: "egressgateway", app: "egress-gateway" } },
                                },
                            ],
                        },
                    },
                },
            });
        });
        it("exposes exactly the Gateway servers' ports plus the status port on a ClusterIP Service", () => {
            expect(manifest(p, "Service/istio-system/egress-gateway")).to.deep.equal({
                apiVersion: "v1",
                kind: "Service",
                metadata: { ...metadata, annotations: { "networking.istio.io/exportTo": "." } },
                spec: {
                    type: "ClusterIP",
                    selector: { istio: "egressgateway", app: "egress-gateway" },
                    ports: [
                        { name: "status-port", port: 15021, targetPort: 15021, protocol: "TCP", appProtocol: "tcp" },
                        { name: "http-80", port: 80, targetPort: 80, protocol: "TCP" },
                        { name: "tls-443", port: 443, targetPort: 443, protocol: "TCP" },
                    ],
                },
            });
        });
        it("keeps at most one gateway pod down during voluntary disruptions", () => {
            expect(manifest(p, "PodDisruptionBudget/istio-system/egress-gateway").spec).to.deep.equal({
                maxUnavailable: 1,
                selector: { matchLabels: { istio: "egressgateway", app: "egress-gateway" } },
            });
        });
        it("annotates every workload object, not the pods, with gateway.annotations", () => {
            const annotated = plan({ hosts: [], gateway: { annotations: { "pulumi.com/skipAwait": "true" } } });
            const workload = annotated.objects.filter((o) => o.cluster === "workload");
            expect(workload.map((o) => o.manifest.metadata.annotations)).to.deep.equal(
                workload.map((o) =>
                    o.manifest.kind === "Service"
                        ? { "pulumi.com/skipAwait": "true", "networking.istio.io/exportTo": "." }
                        : { "pulumi.com/skipAwait": "true" },
                ),
            );
            expect(
                (manifest(annotated, "Deployment/istio-system/egress-gateway").spec as any).template.metadata
                    .annotations,
            ).to.deep.equal({
                "inject.istio.io/templates": "gateway",
            });
        });
        it("creates no PodDisruptionBudget when it is disabled", () => {
            const noPdb = plan({ hosts: [], gateway: { podDisruptionBudget: { enabled: false } } });
            expect(noPdb.objects.map((o) => o.manifest.kind)).to.not.include("PodDisruptionBudget");
        });
        it("lets an autoscaler own the replica count when autoscaling is set", () => {
            const scaled = plan({
                hosts: [],
                gateway: { autoscaling: { minReplicas: 3, maxReplicas: 9, targetCpuUtilizationPercentage: 60 } },
            });
            expect((manifest(scaled, "Deployment/istio-system/egress-gateway").spec as any).replicas).to.equal(
                undefined,
            );
            expect(manifest(scaled, "HorizontalPodAutoscaler/istio-system/egress-gateway").spec).to.deep.equal({
                scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "egress-gateway" },
                minReplicas: 3,
                maxReplicas: 9,
                metrics: [
                    {
                        type: "Resource",
                        resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 60 } },
                    },
                ],
            });
        });
        it("passes node placement and resources through", () => {
            const placed = plan({
                hosts: [],
                gateway: {
                    nodeSelector: { egress: "true" },
                    tolerations: [{ key: "dedicated", operator: "Equal", value: "egress", effect: "NoSchedule" }],
                    resources: { requests: { cpu: "1" } },
                    spreadAcrossNodes: false,
                },
            });
            const pod = (manifest(placed, "Deployment/istio-system/egress-gateway").spec as any).template.spec;
            expect(pod.nodeSelector).to.deep.equal({ egress: "true" });
            expect(pod.tolerations).to.deep.equal([
                { key: "dedicated", operator: "Equal", value: "egress", effect: "NoSchedule" },
            ]);
            expect(pod.containers[0].resources).to.deep.equal({ requests: { cpu: "1" } });
            expect(pod.topologySpreadConstraints).to.equal(undefined);
        });
        it("labels the pods for a revisioned control plane's injector", () => {
            const revisioned = plan({ hosts: [], istio: { revision: "canary" } });
            expect(
                (manifest(revisioned, "Deployment/istio-system/egress-gateway").spec as any).template.metadata.labels,
            ).to.deep.equal({
                istio: "egressgateway",
                app: "egress-gateway",
                "sidecar.istio.io/inject": "true",
                "istio.io/rev": "canary",
            });
        });
        it("uses custom labels as Service selector and Gateway selector alike", () => {
            const custom = plan({
                hosts: [{ host: "aliyun.com" }],
                gateway: { name: "istio-egressgateway", labels: { istio: "egress" } },
            });
            expect((manifest(custom, "Service/istio-system/istio-egressgateway").spec as any).selector).to.deep.equal({
                istio: "egress",
            });
            expect((manifest(custom, "Gateway/istio-system/egress-aliyun-com").spec as any).selector).to.deep.equal({
                istio: "egress",
            });
        });
        it("creates no workload for an existing gateway and routes to its Service", () => {
            const existing = plan({
                hosts: [{ host: "aliyun.com" }],
                existingGateway: {
                    selector: { istio: "egressgateway" },
                    serviceName: "istio-egressgateway",
                    namespace: "istio-egress",
                },
            });
            expect(existing.objects.filter((o) => o.cluster === "workload")).to.deep.equal([]);
            expect(existing.gatewayHost).to.equal("istio-egressgateway.istio-egress.svc.cluster.local");
            expect((manifest(existing, "Gateway/istio-egress/egress-aliyun-com").spec as any).selector).to.deep.equal({
                istio: "egressgateway",
            });
        });
    });

    describe("an existing gateway whose Service sends its ports to other pod ports (targetPorts)", () => {
        // Istio's istio-egressgateway chart: 80 → 8080, 443 → 8443.
        const chart = plan({
            hosts: [
                { host: "aliyun.com", from: [{ namespace: "shop" }] },
                { host: "api.stripe.com", mode: "TLS_PASSTHROUGH" },
            ],
            existingGateway: {
                selector: { istio: "egressgateway" },
                serviceName: "istio-egressgateway",
                targetPorts: { "80": 8080, "443": 8443 },
            },
            antiBypass: { namespaces: ["shop"] },
        });
        it("sends each host's hop to the pod port the gateway listens on", () => {
            expect(
                (manifest(chart, "ServiceEntry/istio-system/egress-aliyun-com---hop").spec as any).ports,
            ).to.deep.equal([{ number: 80, name: "http-80", protocol: "HTTP", targetPort: 8080 }]);
            expect(
                (manifest(chart, "ServiceEntry/istio-system/egress-api-stripe-com---hop").spec as any).ports,
            ).to.deep.equal([{ number: 443, name: "tls-443", protocol: "TLS", targetPort: 8443 }]);
        });
        it("keeps the Service's ports in the Gateway servers, which istiod translates to the pod ports", () => {
            expect(
                (manifest(chart, "Gateway/istio-system/egress-api-stripe-com").spec as any).servers[0].port.number,
            ).to.equal(443);
            expect(chart.gatewayPorts.map((p) => p.number)).to.deep.equal([80, 443]);
        });
        it("lets client namespaces reach the gateway pods on the pod ports, where a NetworkPolicy sees them", () => {
            expect(
                (manifest(chart, "NetworkPolicy/shop/egress-egress-only-via-gateway").spec as any).egress[2].ports,
            ).to.deep.equal([
                { protocol: "TCP", port: 8080 },
                { protocol: "TCP", port: 8443 },
            ]);
        });
        it("matches a restricted host's traffic at the gateway on the pod port, which the gateway's policy sees", () => {
            const deny = manifest(chart, "AuthorizationPolicy/istio-system/egress-aliyun-com---sources").spec as any;
            expect(deny.rules[0].to).to.deep.equal([{ operation: { ports: ["8080"] } }]);
        });
    });

    describe("the gateway as ASM's IstioGateway", () => {
        const ASM = {
            hosts: [{ host: "aliyun.com" }, { host: "api.stripe.com", mode: "TLS_PASSTHROUGH" as const, port: 8443 }],
            gateway: { asm: { clusterIds: ["c0123456789abcdef"] }, autoscaling: { minReplicas: 2, maxReplicas: 4 } },
            istioCluster: { kubeconfig: "asm-instance" },
        };
        const p = plan(ASM);

        it("creates one IstioGateway in the ASM instance with the gateway's settings and exactly the hosts' ports", () => {
            expect(manifest(p, "IstioGateway/istio-system/egress-gateway")).to.deep.equal({
                apiVersion: "istio.alibabacloud.com/v1beta1",
                kind: "IstioGateway",
                metadata: {
                    name: "egress-gateway",
                    namespace: "istio-system",
                    labels: { ...LABELS, istio: "egressgateway", app: "egress-gateway" },
                },
                spec: {
                    gatewayType: "egress",
                    clusterIds: ["c0123456789abcdef"],
                    replicaCount: 2,
                    serviceType: "ClusterIP",
                    serviceAnnotations: { "networking.istio.io/exportTo": "." },
                    podLabels: { istio: "egressgateway", app: "egress-gateway" },
                    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "2", memory: "1Gi" } },
                    ports: [
                        { name: "http-80", port: 80, targetPort: 80, protocol: "TCP" },
                        { name: "tls-8443", port: 8443, targetPort: 8443, protocol: "TCP" },
                    ],
                    autoscaleEnabled: true,
                    minReplicas: 2,
                    maxReplicas: 4,
                    cpu: { targetAverageUtilization: 80 },
                    affinity: {
                        podAntiAffinity: {
                            preferredDuringSchedulingIgnoredDuringExecution: [
                                {
                                    weight: 100,
                                    podAffinityTerm: {
                                        topologyKey: "kubernetes.io/hostname",
                                        labelSelector: {
                                            matchLabels: { istio: "egressgateway", app: "egress-gateway" },
                                        },
                                    },
                                },
                            ],
                        },
                    },
                },
            });
            expect(p.objects.find((o) => o.manifest.kind === "IstioGateway")!.cluster).to.equal("istio");
        });
        it("keeps only the PodDisruptionBudget of the workload objects, in the component's cluster", () => {
            expect(p.objects.filter((o) => o.cluster === "workload").map((o) => o.key)).to.deep.equal([
                "PodDisruptionBudget/istio-system/egress-gateway",
            ]);
        });
        it("routes each host only after the IstioGateway exists, as it would after the gateway Service", () => {
            const route = p.objects.find((o) => o.key === "VirtualService/istio-system/egress-aliyun-com")!;
            expect(route.dependsOn).to.include("IstioGateway/istio-system/egress-gateway");
        });
        it("selects the IstioGateway's pods in every Gateway and AuthorizationPolicy", () => {
            const selectors = p.objects
                .filter((o) => o.manifest.kind === "Gateway")
                .map((o) => (o.manifest as any).spec.selector);
            expect(selectors).to.deep.equal([
                { istio: "egressgateway", app: "egress-gateway" },
                { istio: "egressgateway", app: "egress-gateway" },
            ]);
        });
    });

    describe("the outbound traffic policy", () => {
        it("edits the mesh config by default and depends on nothing else being missing", () => {
            const p = plan({ hosts: [{ host: "aliyun.com" }] });
            expect(p.meshConfigEdit).to.deep.equal({
                namespace: "istio-system",
                configMapName: "istio",
                key: "mesh",
                mode: "REGISTRY_ONLY",
            });
            expect(p.objects.some((o) => o.manifest.kind === "Sidecar")).to.equal(false);
        });
        it("writes a root-namespace Sidecar that depends on every other object", () => {
            const p = plan({
                hosts: [{ host: "aliyun.com" }],
                outboundTrafficPolicy: { target: "ROOT_NAMESPACE_SIDECAR" },
            });
            const sidecar = p.objects[p.objects.length - 1];
            expect(sidecar.manifest).to.deep.equal({
                apiVersion: "networking.istio.io/v1",
                kind: "Sidecar",
                metadata: { name: "egress-outbound-policy", namespace: "istio-system", labels: LABELS },
                spec: { outboundTrafficPolicy: { mode: "REGISTRY_ONLY" } },
            });
            expect(sidecar.dependsOn).to.deep.equal(p.objects.slice(0, -1).map((o) => o.key));
            expect(p.meshConfigEdit).to.equal(undefined);
        });
        it("puts the Sidecar in a custom root namespace", () => {
            const p = plan({
                hosts: [],
                istio: { rootNamespace: "istio-config" },
                outboundTrafficPolicy: { target: "ROOT_NAMESPACE_SIDECAR", mode: "ALLOW_ANY" },
            });
            expect(p.objects.find((o) => o.manifest.kind === "Sidecar")!.key).to.equal(
                "Sidecar/istio-config/egress-outbound-policy",
            );
        });
        it("audits by letting undeclared hosts through and logging only their traffic, mesh-wide", () => {
            const p = plan({ hosts: [{ host: "aliyun.com" }], outboundTrafficPolicy: { mode: "AUDIT" } });
            expect(p.meshConfigEdit!.mode).to.equal("ALLOW_ANY");
            expect(p.policyMode).to.equal("AUDIT");
            expect(manifest(p, "Telemetry/istio-system/egress-audit")).to.deep.equal({
                apiVersion: "telemetry.istio.io/v1",
                kind: "Telemetry",
                metadata: { name: "egress-audit", namespace: "istio-system", labels: LABELS },
                spec: {
                    accessLogging: [
                        {
                            providers: [{ name: "envoy" }],
                            filter: { expression: 'xds.cluster_name == "PassthroughCluster"' },
                        },
                    ],
                },
            });
        });
        it("audits with listeners on HTTP 80 and TLS 443 where no host is declared, so the log names the host", () => {
            const p = plan({
                hosts: [{ host: "db.example", mode: "TCP", port: 5432 }],
                outboundTrafficPolicy: { mode: "AUDIT" },
            });
            expect(manifest(p, "ServiceEntry/istio-system/egress---audit")).to.deep.equal({
                apiVersion: "networking.istio.io/v1",
                kind: "ServiceEntry",
                metadata: { name: "egress---audit", namespace: "istio-system", labels: LABELS },
                spec: {
                    hosts: ["egress.audit.mesh-egress.internal"],
                    location: "MESH_EXTERNAL",
                    resolution: "STATIC",
                    ports: [
                        { number: 80, name: "http-audit", protocol: "HTTP" },
                        { number: 443, name: "tls-audit", protocol: "TLS" },
                    ],
                    exportTo: ["*"],
                },
            });
        });
        it("audits without a listener of its own on a port a declared host uses, whatever its protocol", () => {
            const tcp443 = plan({
                hosts: [{ host: "aliyun.com" }, { host: "db.example", mode: "TCP", port: 443 }],
                outboundTrafficPolicy: { mode: "AUDIT" },
            });
            expect(tcp443.objects.some((o) => o.key === "ServiceEntry/istio-system/egress---audit")).to.equal(false);
            const web = plan({
                hosts: [{ host: "api.example.com", mode: "TLS_PASSTHROUGH" }],
                outboundTrafficPolicy: { mode: "AUDIT", target: "NAMESPACE_SIDECARS", namespaces: ["apps"] },
            });
            expect((manifest(web, "ServiceEntry/istio-system/egress---audit") as any).spec).to.deep.include({
                ports: [{ number: 80, name: "http-audit", protocol: "HTTP" }],
                exportTo: ["apps"],
            });
        });
        it("warns that an audit blocks nothing and replaces the access log of the proxies it covers", () => {
            const mesh = plan({ hosts: [{ host: "aliyun.com" }], outboundTrafficPolicy: { mode: "AUDIT" } });
            expect(mesh.warnings).to.deep.equal([
                "outboundTrafficPolicy.mode is AUDIT: nothing undeclared is blocked, and every proxy of the mesh " +
                    "(ingress gateways included) access-logs only calls to undeclared hosts while it is on (Istio's " +
                    "Telemetry replaces the mesh config's accessLogFile there); see docs/audit.md",
            ]);
            const scoped = plan({
                hosts: [],
                outboundTrafficPolicy: { mode: "AUDIT", target: "NAMESPACE_SIDECARS", namespaces: ["apps", "jobs"] },
            });
            expect(scoped.warnings[0]).to.include("every proxy of namespace(s) apps, jobs access-logs");
        });
        it("audits only the listed namespaces with NAMESPACE_SIDECARS, each with an ALLOW_ANY Sidecar", () => {
            const p = plan({
                hosts: [],
                outboundTrafficPolicy: { mode: "AUDIT", target: "NAMESPACE_SIDECARS", namespaces: ["apps", "jobs"] },
            });
            const kinds = p.objects.map((o) => o.key).filter((key) => /^(Telemetry|Sidecar)\//.test(key));
            expect(kinds).to.deep.equal([
                "Telemetry/istio-system/egress-gateway-access-log",
                "Telemetry/apps/egress-audit",
                "Telemetry/jobs/egress-audit",
                "Sidecar/apps/egress-outbound-policy",
                "Sidecar/jobs/egress-outbound-policy",
            ]);
            expect((manifest(p, "Sidecar/apps/egress-outbound-policy") as any).spec).to.deep.equal({
                outboundTrafficPolicy: { mode: "ALLOW_ANY" },
            });
        });
        it("touches nothing when unmanaged", () => {
            const p = plan({ hosts: [{ host: "aliyun.com" }], outboundTrafficPolicy: { mode: "UNMANAGED" } });
            expect(p.meshConfigEdit).to.equal(undefined);
            expect(p.objects.some((o) => o.manifest.kind === "Sidecar")).to.equal(false);
            expect(p.policyMode).to.equal("UNMANAGED");
        });
    });

    describe("the Istio release", () => {
        const apiVersions = (version: string) => {
            const p = plan({
                hosts: [{ host: "aliyun.com", from: [{ namespace: "shop" }] }],
                outboundTrafficPolicy: { mode: "AUDIT", target: "NAMESPACE_SIDECARS", namespaces: ["apps"] },
                istio: { version },
            });
            const byKind = new Map(p.objects.map((o) => [o.manifest.kind, o.manifest.apiVersion]));
            return Object.fromEntries([...byKind].filter(([kind]) => !["Deployment", "Service"].includes(kind)));
        };
        it("emits networking v1beta1 and telemetry v1alpha1 before 1.22", () => {
            expect(apiVersions("1.21")).to.deep.equal({
                ServiceAccount: "v1",
                PodDisruptionBudget: "policy/v1",
                ServiceEntry: "networking.istio.io/v1beta1",
                DestinationRule: "networking.istio.io/v1beta1",
                Gateway: "networking.istio.io/v1beta1",
                VirtualService: "networking.istio.io/v1beta1",
                Telemetry: "telemetry.istio.io/v1alpha1",
                AuthorizationPolicy: "security.istio.io/v1",
                Sidecar: "networking.istio.io/v1beta1",
            });
        });
        it("emits v1 of every Istio group from 1.22, and by default", () => {
            const v1 = apiVersions("1.22");
            expect(v1.ServiceEntry).to.equal("networking.istio.io/v1");
            expect(v1.Telemetry).to.equal("telemetry.istio.io/v1");
            expect(apiVersions("1.31")).to.deep.equal(v1);
            const serviceEntry = manifest(
                plan({ hosts: [{ host: "aliyun.com" }] }),
                "ServiceEntry/istio-system/egress-aliyun-com",
            );
            expect(serviceEntry.apiVersion).to.equal("networking.istio.io/v1");
        });
        it("warns that a release newer than 1.31 gets 1.31's objects", () => {
            expect(plan({ hosts: [{ host: "aliyun.com" }], istio: { version: "1.33" } }).warnings).to.deep.equal([
                "istio.version 1.33 is newer than the newest release MeshEgress is tested with, 1.31: it emits what " +
                    "1.31 serves",
            ]);
        });
    });

    describe("dependencies", () => {
        it("creates a host's VirtualService after its ServiceEntries, DestinationRule, Gateway and the gateway Service", () => {
            const p = plan({ hosts: [{ host: "aliyun.com" }] });
            expect(
                p.objects.find((o) => o.key === "VirtualService/istio-system/egress-aliyun-com")!.dependsOn,
            ).to.deep.equal([
                "ServiceEntry/istio-system/egress-aliyun-com",
                "ServiceEntry/istio-system/egress-aliyun-com---hop",
                "DestinationRule/istio-system/egress-aliyun-com",
                "Gateway/istio-system/egress-aliyun-com",
                "Service/istio-system/egress-gateway",
            ]);
        });
        it("lists every object after the objects it depends on", () => {
            const p = plan({
                hosts: [{ host: "a.com" }, { host: "b.com" }],
                outboundTrafficPolicy: { target: "ROOT_NAMESPACE_SIDECAR" },
            });
            const seen = new Set<string>();
            for (const object of p.objects) {
                for (const dependency of object.dependsOn)
                    expect(seen.has(dependency), `${object.key} after ${dependency}`).to.equal(true);
                seen.add(object.key);
            }
        });
    });

    describe("stability", () => {
        const hosts = [
            { host: "a.com" },
            { host: "b.example.org", mode: "TLS_PASSTHROUGH" as const },
            { host: "c.net", port: 8080 },
        ];
        it("does not depend on the order of hosts", () => {
            expect(plan({ hosts: [...hosts].reverse() })).to.deep.equal(plan({ hosts }));
        });
        it("adds only the new host's objects (and its port on the gateway Service) when a host is added", () => {
            const before = plan({ hosts });
            const after = plan({ hosts: [...hosts, { host: "d.io", port: 8080 }] });
            const keys = (p: EgressPlan) => new Set(p.objects.map((o) => o.key));
            const added = [...keys(after)].filter((k) => !keys(before).has(k));
            expect(added).to.deep.equal([
                "ServiceEntry/istio-system/egress-d-io",
                "ServiceEntry/istio-system/egress-d-io---hop",
                "DestinationRule/istio-system/egress-d-io",
                "Gateway/istio-system/egress-d-io",
                "VirtualService/istio-system/egress-d-io",
            ]);
            const unchanged = before.objects.filter((o) => {
                const twin = after.objects.find((a) => a.key === o.key)!;
                return JSON.stringify(twin) === JSON.stringify(o);
            });
            expect(unchanged.length).to.equal(before.objects.length);
        });
        it("reports per host the names of its objects and its gateway port", () => {
            expect(plan({ hosts: [{ host: "aliyun.com" }] }).hostObjects).to.deep.equal({
                "aliyun.com": {
                    namespace: "istio-system",
                    serviceEntry: "egress-aliyun-com",
                    hopServiceEntry: "egress-aliyun-com---hop",
                    gateway: "egress-aliyun-com",
                    destinationRule: "egress-aliyun-com",
                    virtualService: "egress-aliyun-com",
                    routes: ["VirtualService/egress-aliyun-com"],
                    gatewayPort: 80,
                },
            });
        });
    });
});
