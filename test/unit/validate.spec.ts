// Every rejected input: the exact message names the field and the offending value, and nothing is registered.
import { expect } from "chai";
import { derivedPort } from "../../sdk/validate/ports";
import { MeshEgressArgsError, validateArgs } from "../../sdk/validate";
import { problemsOf } from "../support/problems";
import { MeshEgressArgs } from "../../sdk";

describe("argument validation", () => {
    describe("the error", () => {
        it("lists every problem under the component's name", () => {
            expect(() => validateArgs("egress", { hosts: [{ host: "" }, { host: "a.com", port: 0 }] })).to.throw(
                MeshEgressArgsError,
                'MeshEgress "egress" has invalid arguments:\n' +
                    '  - hosts[0].host: "" is empty\n' +
                    "  - hosts[1].port: 0 is not a port number (an integer from 1 to 65535)",
            );
        });
    });

    describe("hosts", () => {
        it("must be a list", () => {
            expect(problemsOf({ hosts: "aliyun.com" })).to.deep.equal([
                'hosts: must be a list of hosts, got "aliyun.com"',
            ]);
        });
        it("entries must be objects", () => {
            expect(problemsOf({ hosts: ["aliyun.com"] })).to.deep.equal([
                'hosts[0]: must be an object with a "host" field, got "aliyun.com"',
            ]);
        });
        it("entries need a host", () => {
            expect(problemsOf({ hosts: [{ port: 80 }] })).to.deep.equal(["hosts[0].host: is required"]);
        });
        it("entries reject unknown fields", () => {
            expect(problemsOf({ hosts: [{ host: "aliyun.com", hostname: "x" }] })).to.deep.equal([
                "hosts[0].hostname: is not a known field (known: host, mode, port, externalPort, gatewayPort, tls, " +
                    "upstreamHost, addresses, endpoints, from)",
            ]);
        });
        it("rejects an IPv4 literal", () => {
            expect(problemsOf({ hosts: [{ host: "10.1.2.3" }] })).to.deep.equal([
                'hosts[0].host: "10.1.2.3" is an IP address; a DNS name is required',
            ]);
        });
        it("rejects an IPv6 literal", () => {
            expect(problemsOf({ hosts: [{ host: "[2001:db8::1]" }] })).to.deep.equal([
                'hosts[0].host: "[2001:db8::1]" is an IP address; a DNS name is required',
            ]);
        });
        it("rejects a TCP wildcard", () => {
            expect(problemsOf({ hosts: [{ host: "*.example.com", mode: "TCP", port: 5432 }] })).to.deep.equal([
                'hosts[0].mode: TCP cannot route the wildcard "*.example.com": a TCP stream carries no name; use HTTP ' +
                    "(each name resolved at the gateway) or TLS_PASSTHROUGH with upstreamHost",
            ]);
        });
        it("rejects a TLS passthrough wildcard without an upstream", () => {
            expect(problemsOf({ hosts: [{ host: "*.example.com", mode: "TLS_PASSTHROUGH" }] })).to.deep.equal([
                'hosts[0].upstreamHost: is required for the TLS wildcard "*.example.com": the gateway cannot resolve ' +
                    "the names under it (on the ISTIO_MUTUAL hop it sees only the hop's SNI, and istiod gives its SNI " +
                    "dynamic forward proxy to sidecars only), so name the one server that serves them all, or use HTTP " +
                    "or TLS_ORIGINATION, whose names the gateway resolves one by one",
            ]);
        });
        it("rejects an upstream for a wildcard the gateway resolves per name", () => {
            expect(problemsOf({ hosts: [{ host: "*.example.com", upstreamHost: "www.example.com" }] })).to.deep.equal([
                'hosts[0].upstreamHost: "www.example.com" applies only to TLS_PASSTHROUGH wildcards: under HTTP the ' +
                    'gateway resolves each name under "*.example.com" from the request\'s Host header and connects ' +
                    "to that name itself",
            ]);
        });
        it("rejects an SNI for an origination wildcard", () => {
            expect(
                problemsOf({
                    hosts: [{ host: "*.example.com", mode: "TLS_ORIGINATION", tls: { sni: "a.example.com" } }],
                }),
            ).to.deep.equal([
                'hosts[0].tls.sni: "a.example.com" cannot be set for the wildcard "*.example.com": the gateway sends ' +
                    "each name it connects to as that connection's SNI, and checks the server's certificate for that name",
            ]);
        });
        it("rejects a wildcard resolved per name beside the host its hop SNI names", () => {
            expect(problemsOf({ hosts: [{ host: "*.Example.com" }, { host: "egress.example.com" }] })).to.deep.equal([
                'hosts[0].host: "*.Example.com": the wildcard would reach the gateway with the hop SNI ' +
                    '"egress.example.com", which "egress.example.com" on port 80 also uses: the gateway would send ' +
                    "both to one of them; the wildcard already covers that name, so declare it once (or on another port)",
            ]);
        });
        it("rejects a host under a wildcard resolved per name, on its port, with other sources", () => {
            expect(
                problemsOf({
                    hosts: [
                        { host: "*.example.net" },
                        { host: "API.example.net", from: [{ namespace: "b" }] },
                        { host: "other.example.net", port: 8080, from: [{ namespace: "b" }] },
                    ],
                }),
            ).to.deep.equal([
                'hosts[1].host: "API.example.net" is under the wildcard "*.example.net" (hosts[0]) on port 80, whose ' +
                    "every name is reached one by one: with other `from` sources the wildcard's callers would reach " +
                    "it anyway, and the wildcard's rule would refuse its own callers; give both the same `from`, or " +
                    "another port",
            ]);
        });
        it("accepts a host under a wildcard resolved per name with the same sources", () => {
            const from = [{ namespace: "b", serviceAccount: "x" }];
            expect(() =>
                validateArgs("egress", {
                    hosts: [
                        { host: "*.example.net", from },
                        { host: "*.x.example.net", from },
                    ],
                }),
            ).to.not.throw();
        });
        it("rejects a wildcard over cluster.local", () => {
            expect(problemsOf({ hosts: [{ host: "*.cluster.local" }] })).to.deep.equal([
                'hosts[0].host: "*.cluster.local" is not a valid wildcard: "cluster.local" is a cluster-local name; ' +
                    "MeshEgress routes hosts outside the mesh",
            ]);
        });
        it("rejects an origination wildcard on ports the gateway cannot keep per name", () => {
            expect(
                problemsOf({
                    hosts: [{ host: "*.example.com", mode: "TLS_ORIGINATION", port: 8080, externalPort: 8443 }],
                }),
            ).to.deep.equal([
                'hosts[0].port: 8080 cannot be used for the origination wildcard "*.example.com": the gateway connects ' +
                    "to each name on TLS's port 443 only for a Host that names no port, as an HTTP client sends it " +
                    "only for port 80; use 80",
                'hosts[0].externalPort: 8443 cannot be used for the origination wildcard "*.example.com": the ' +
                    "gateway's dynamic forward proxy connects to each name on TLS's port 443",
            ]);
        });
        it("rejects a wildcard resolved at the gateway before Istio 1.31, and with Gateway API routes", () => {
            expect(problemsOf({ hosts: [{ host: "*.example.com" }], istio: { version: "1.30" } })).to.deep.equal([
                'hosts[0].host: "*.example.com": a wildcard whose names the gateway resolves one by one needs ' +
                    "istio.version 1.31 or later (the first release verified to build a gateway's dynamic forward " +
                    "proxy), not 1.30; declare the names you call instead",
            ]);
            expect(problemsOf({ hosts: [{ host: "*.example.com" }], routingApi: "GATEWAY_API" })).to.deep.equal([
                'hosts[0].host: "*.example.com": a wildcard whose names the gateway resolves one by one cannot be ' +
                    'routed with routingApi "GATEWAY_API" (a route\'s backend is one host, never a wildcard); use ' +
                    'routingApi "ISTIO"',
            ]);
        });
        it("rejects a bare wildcard", () => {
            expect(
                problemsOf({ hosts: [{ host: "*", mode: "TLS_PASSTHROUGH", upstreamHost: "a.com" }] }),
            ).to.deep.equal([
                'hosts[0].host: "*" is a bare "*", which would send every host to one upstream; list the hosts, or leave ' +
                    "undeclared hosts to outboundTrafficPolicy ALLOW_ANY",
            ]);
        });
        it("rejects a wildcard over a top-level domain and one in the middle", () => {
            expect(
                problemsOf({ hosts: [{ host: "*.com", mode: "TLS_PASSTHROUGH", upstreamHost: "a.com" }] }),
            ).to.deep.equal([
                'hosts[0].host: "*.com" is too broad: a wildcard needs at least two labels after "*.", e.g. "*.example.com"',
            ]);
            expect(
                problemsOf({ hosts: [{ host: "*.*.example.com", mode: "TLS_PASSTHROUGH", upstreamHost: "a.com" }] }),
            ).to.deep.equal([
                'hosts[0].host: "*.*.example.com" has more than one "*"; only a single leading "*." is supported',
            ]);
            expect(problemsOf({ hosts: [{ host: "a*.example.com" }] })).to.deep.equal([
                'hosts[0].host: "a*.example.com" is a wildcard where a concrete DNS name is required',
            ]);
        });
        it("rejects an upstream for a concrete host, and a wildcard upstream", () => {
            expect(problemsOf({ hosts: [{ host: "a.com", upstreamHost: "b.com" }] })).to.deep.equal([
                'hosts[0].upstreamHost: "b.com" applies only to wildcard hosts (*.example.com)',
            ]);
            expect(
                problemsOf({
                    hosts: [{ host: "*.example.com", mode: "TLS_PASSTHROUGH", upstreamHost: "*.example.com" }],
                }),
            ).to.deep.equal([
                'hosts[0].upstreamHost: "*.example.com" is a wildcard where a concrete DNS name is required',
            ]);
        });
        it("needs a port for TCP", () => {
            expect(problemsOf({ hosts: [{ host: "db.example.com", mode: "TCP" }] })).to.deep.equal([
                "hosts[0].port: is required for TCP: there is no default port",
            ]);
        });
        it("rejects malformed TCP addresses and endpoints", () => {
            expect(
                problemsOf({
                    hosts: [
                        {
                            host: "db.example.com",
                            mode: "TCP",
                            port: 5432,
                            addresses: ["10.0.0.0/33", "db"],
                            endpoints: ["10.0.0.1/32"],
                        },
                    ],
                }),
            ).to.deep.equal([
                'hosts[0].addresses[0]: "10.0.0.0/33" is not an IP address or CIDR',
                'hosts[0].addresses[1]: "db" is not an IP address or CIDR',
                'hosts[0].endpoints[0]: "10.0.0.1/32" is not an IP address',
            ]);
        });
        it("rejects addresses outside TCP", () => {
            expect(problemsOf({ hosts: [{ host: "a.com", addresses: ["10.0.0.0/8"] }] })).to.deep.equal([
                'hosts[0].addresses: ["10.0.0.0/8"] applies only to TCP, not HTTP',
            ]);
        });
        it("rejects two TCP destinations on one port without disjoint addresses", () => {
            expect(
                problemsOf({
                    hosts: [
                        { host: "mongo.example.com", mode: "TCP", port: 27017 },
                        {
                            host: "mongo2.example.com",
                            mode: "TCP",
                            port: 27017,
                            addresses: ["192.0.2.0/24"],
                            endpoints: ["192.0.2.9"],
                        },
                    ],
                }),
            ).to.deep.equal([
                'hosts[1].addresses: "mongo2.example.com" and hosts[0] ("mongo.example.com") are TCP on port 27017 without ' +
                    "disjoint addresses: sidecars could not tell their traffic apart; give each its own CIDRs",
            ]);
        });
        it("rejects a TCP destination whose address another one on its port already claims", () => {
            expect(
                problemsOf({
                    hosts: [
                        {
                            host: "a.db.example",
                            mode: "TCP",
                            port: 5432,
                            addresses: ["192.0.2.0/25"],
                            endpoints: ["192.0.2.9"],
                        },
                        {
                            host: "b.db.example",
                            mode: "TCP",
                            port: 5432,
                            addresses: ["198.51.100.0/24"],
                            endpoints: ["198.51.100.9"],
                        },
                        {
                            host: "c.db.example",
                            mode: "TCP",
                            port: 5432,
                            addresses: ["198.51.100.0/24", "192.0.2.0/25"],
                            endpoints: ["198.51.100.10"],
                        },
                    ],
                }),
            ).to.deep.equal([
                'hosts[2].addresses: "c.db.example" and hosts[0] ("a.db.example") are TCP on port 5432 without disjoint ' +
                    "addresses: sidecars could not tell their traffic apart; give each its own CIDRs",
            ]);
        });
        it("accepts two TCP destinations on one port with distinct addresses", () => {
            const args = validateArgs("egress", {
                hosts: [
                    {
                        host: "a.db.example",
                        mode: "TCP",
                        port: 5432,
                        addresses: ["192.0.2.0/25"],
                        endpoints: ["192.0.2.9"],
                    },
                    {
                        host: "b.db.example",
                        mode: "TCP",
                        port: 5432,
                        addresses: ["192.0.2.128/25"],
                        endpoints: ["192.0.2.200"],
                    },
                ],
            });
            // On the mutual-TLS hop both arrive on port 5432, told apart by the hop's SNI.
            expect(args.hosts.map((h) => h.gatewayPort)).to.deep.equal([5432, 5432]);
        });
        it("gives two TCP destinations on one port ports of their own on the plain hop", () => {
            const args = validateArgs("egress", {
                hosts: [
                    {
                        host: "a.db.example",
                        mode: "TCP",
                        port: 5432,
                        addresses: ["192.0.2.0/25"],
                        endpoints: ["192.0.2.9"],
                    },
                    {
                        host: "b.db.example",
                        mode: "TCP",
                        port: 5432,
                        addresses: ["192.0.2.128/25"],
                        endpoints: ["192.0.2.200"],
                    },
                ],
                gatewayHopTls: "DISABLE",
            });
            expect(args.hosts.map((h) => h.gatewayPort)).to.deep.equal([
                derivedPort("a.db.example"),
                derivedPort("b.db.example"),
            ]);
        });
        it("rejects a malformed label", () => {
            expect(problemsOf({ hosts: [{ host: "foo_bar.example.com" }] })).to.deep.equal([
                'hosts[0].host: "foo_bar.example.com" is not a valid DNS name: label "foo_bar" must be 1 to 63 ' +
                    'characters of a-z, 0-9 and "-", not starting or ending with "-"',
            ]);
        });
        it("rejects an empty label", () => {
            expect(problemsOf({ hosts: [{ host: "a..com" }] })).to.deep.equal([
                'hosts[0].host: "a..com" is not a valid DNS name: label "" must be 1 to 63 characters of a-z, 0-9 ' +
                    'and "-", not starting or ending with "-"',
            ]);
        });
        it("rejects a name longer than 253 characters", () => {
            const host = `${"a".repeat(60)}.`.repeat(5) + "com";
            expect(problemsOf({ hosts: [{ host }] })).to.deep.equal([
                `hosts[0].host: "${host}" is longer than 253 characters`,
            ]);
        });
        it("rejects a single-label name", () => {
            expect(problemsOf({ hosts: [{ host: "localhost" }] })).to.deep.equal([
                'hosts[0].host: "localhost" is not fully qualified; an external host has at least two labels, e.g. "example.com"',
            ]);
        });
        it("rejects a cluster-local name", () => {
            expect(problemsOf({ hosts: [{ host: "db.prod.svc.cluster.local" }] })).to.deep.equal([
                'hosts[0].host: "db.prod.svc.cluster.local" is a cluster-local name; MeshEgress routes hosts outside the mesh',
            ]);
        });
        it("rejects a host that is a duplicate after lower-casing and dropping the trailing dot", () => {
            expect(problemsOf({ hosts: [{ host: "Aliyun.com." }, { host: "aliyun.com" }] })).to.deep.equal([
                'hosts[1].host: "aliyun.com" duplicates hosts[0] ("Aliyun.com."); each host may appear once',
            ]);
        });
        it("rejects an unknown mode", () => {
            expect(problemsOf({ hosts: [{ host: "aliyun.com", mode: "HTTPS" }] })).to.deep.equal([
                'hosts[0].mode: "HTTPS" is not one of HTTP, TLS_PASSTHROUGH, TLS_ORIGINATION, MUTUAL_TLS_ORIGINATION, TCP',
            ]);
        });
        for (const port of [0, 65536, 80.5, "80"]) {
            it(`rejects port ${JSON.stringify(port)}`, () => {
                expect(problemsOf({ hosts: [{ host: "aliyun.com", port }] })).to.deep.equal([
                    `hosts[0].port: ${JSON.stringify(port)} is not a port number (an integer from 1 to 65535)`,
                ]);
            });
        }
        it("rejects a port Istio's proxies reserve", () => {
            expect(problemsOf({ hosts: [{ host: "aliyun.com", port: 15021 }] })).to.deep.equal([
                "hosts[0].port: 15021 is reserved by Istio's proxies (15000-15090)",
            ]);
        });
        it("rejects two hosts that need different protocols on one port", () => {
            expect(
                problemsOf({
                    hosts: [
                        { host: "aliyun.com", port: 443 },
                        { host: "api.stripe.com", mode: "TLS_PASSTHROUGH" },
                    ],
                }),
            ).to.deep.equal([
                'hosts[1]: "api.stripe.com" needs protocol TLS on port 443, but hosts[0] ("aliyun.com") needs HTTP ' +
                    "there; one port carries one protocol",
            ]);
        });
    });

    describe("the mutual-TLS hop's SNI", () => {
        it("refuses a wildcard whose hop SNI is another host's on its port, where the gateway would misroute it", () => {
            const wildcard = {
                host: "*.example.com",
                mode: "TLS_PASSTHROUGH",
                upstreamHost: "www.example.com",
            } as const;
            expect(
                problemsOf({ hosts: [wildcard, { host: "www.example.com", mode: "TLS_PASSTHROUGH" }] }),
            ).to.deep.equal([
                'hosts[0].upstreamHost: "www.example.com": the wildcard "*.example.com" would reach the gateway with ' +
                    'the hop SNI "www.example.com", which "www.example.com" on port 443 also uses: the gateway would ' +
                    "send both to one of them; choose an upstreamHost that no other host declares (the hop SNI is " +
                    "the upstreamHost when it is under the wildcard, else egress.<domain>)",
            ]);
        });

        it("accepts the same names on other ports, or with the plain hop, where nothing matches by the hop's SNI", () => {
            const wildcard = {
                host: "*.example.com",
                mode: "TLS_PASSTHROUGH",
                upstreamHost: "www.example.com",
            } as const;
            expect(() => validateArgs("egress", { hosts: [wildcard, { host: "www.example.com" }] })).to.not.throw();
            expect(() =>
                validateArgs("egress", {
                    hosts: [wildcard, { host: "www.example.com", mode: "TLS_PASSTHROUGH" }],
                    gatewayHopTls: "DISABLE",
                }),
            ).to.not.throw();
        });
    });

    describe("mode options", () => {
        it("needs a credential for mutual TLS origination", () => {
            expect(problemsOf({ hosts: [{ host: "a.com", mode: "MUTUAL_TLS_ORIGINATION" }] })).to.deep.equal([
                "hosts[0].tls.credentialName: is required for MUTUAL_TLS_ORIGINATION: name the Secret (tls.crt, tls.key, " +
                    "ca.crt) in the gateway namespace",
            ]);
        });
        it("rejects tls options outside the origination modes", () => {
            expect(problemsOf({ hosts: [{ host: "a.com", tls: { sni: "a.com" } }] })).to.deep.equal([
                'hosts[0].tls: {"sni":"a.com"} applies only to the modes TLS_ORIGINATION and MUTUAL_TLS_ORIGINATION, not HTTP',
            ]);
        });
        it("rejects an externalPort outside the origination modes", () => {
            expect(problemsOf({ hosts: [{ host: "a.com", externalPort: 443 }] })).to.deep.equal([
                "hosts[0].externalPort: 443 applies only to the modes TLS_ORIGINATION and MUTUAL_TLS_ORIGINATION, not HTTP",
            ]);
        });
        it("rejects an origination whose app port equals the external port", () => {
            expect(problemsOf({ hosts: [{ host: "a.com", mode: "TLS_ORIGINATION", port: 443 }] })).to.deep.equal([
                "hosts[0].externalPort: 443 equals port: the app's plain HTTP and the gateway's TLS to the host need different ports",
            ]);
        });
        it("rejects a CA file together with a credential", () => {
            expect(
                problemsOf({
                    hosts: [
                        {
                            host: "a.com",
                            mode: "TLS_ORIGINATION",
                            tls: { credentialName: "ca", caCertificates: "/ca.pem" },
                        },
                    ],
                }),
            ).to.deep.equal([
                "hosts[0].tls: credentialName and caCertificates are mutually exclusive: the Secret's ca.crt is the CA",
            ]);
        });
        it("rejects a relative CA path, a bad Secret name and an empty SAN", () => {
            expect(
                problemsOf({
                    hosts: [
                        {
                            host: "a.com",
                            mode: "TLS_ORIGINATION",
                            tls: { caCertificates: "ca.pem", subjectAltNames: [""] },
                        },
                    ],
                }),
            ).to.deep.equal([
                'hosts[0].tls.caCertificates: "ca.pem" must be an absolute path in the gateway pods',
                'hosts[0].tls.subjectAltNames: [""] must be a list of non-empty names',
            ]);
            expect(
                problemsOf({
                    hosts: [{ host: "a.com", mode: "MUTUAL_TLS_ORIGINATION", tls: { credentialName: "Client_Cert" } }],
                }),
            ).to.deep.equal([
                'hosts[0].tls.credentialName: "Client_Cert" is not a valid Secret name: it must be a DNS-1123 ' +
                    'subdomain: dot-separated labels of lower-case letters, digits and "-"',
            ]);
        });
        it("rejects a gatewayPort for a host that shares its gateway port", () => {
            expect(problemsOf({ hosts: [{ host: "a.com", gatewayPort: 20080 }] })).to.deep.equal([
                "hosts[0].gatewayPort: 20080 applies only to TCP hosts on the DISABLE hop, the only ones with a gateway " +
                    "port of their own; every other host arrives on the gateway port equal to its port (on the " +
                    "ISTIO_MUTUAL hop the gateway tells hosts apart by the hop's SNI)",
            ]);
        });
        it("rejects two hosts pinned to one gateway port", () => {
            expect(
                problemsOf({
                    hosts: [
                        { host: "a.com", mode: "TCP", port: 5432, gatewayPort: 20443 },
                        { host: "b.com", mode: "TCP", port: 5433, gatewayPort: 20443 },
                    ],
                    gatewayHopTls: "DISABLE",
                }),
            ).to.deep.equal(['hosts[1].gatewayPort: 20443 is already the gateway port of hosts[0] ("a.com")']);
        });
        it("rejects a pinned gateway port that other hosts share", () => {
            expect(
                problemsOf({
                    hosts: [
                        { host: "a.com", port: 8080 },
                        { host: "b.com", mode: "TCP", port: 5432, gatewayPort: 8080 },
                    ],
                    gatewayHopTls: "DISABLE",
                }),
            ).to.deep.equal([
                "hosts[1].gatewayPort: 8080 is a shared gateway port (the port of other hosts); choose another",
            ]);
        });
        it("rejects an unknown gateway hop", () => {
            expect(problemsOf({ hosts: [], gatewayHopTls: "MUTUAL" })).to.deep.equal([
                'gatewayHopTls: "MUTUAL" is not one of ISTIO_MUTUAL, DISABLE',
            ]);
        });
        it("rejects a malformed exportTo", () => {
            expect(problemsOf({ hosts: [], exportTo: [] })).to.deep.equal([
                'exportTo: [] must be a non-empty list of namespaces, "." or "*"',
            ]);
            expect(problemsOf({ hosts: [], exportTo: ["*", "Payments"] })).to.deep.equal([
                'exportTo[1]: "Payments" is not a namespace, "." or "*"',
                'exportTo: ["*","Payments"]: "*" already means every namespace; list it alone',
            ]);
        });
    });

    describe("the component name", () => {
        it("must be usable as a Kubernetes name prefix", () => {
            expect(problemsOf({ hosts: [] }, "My_Egress")).to.deep.equal([
                'name: "My_Egress" must be lower-case letters, digits and "-", starting with a letter and ending with a ' +
                    "letter or digit, at most 253 characters: it prefixes Kubernetes object names, the gateway " +
                    "Service's among them (names that get too long are shortened with a hash)",
            ]);
        });
    });

    describe("gateway", () => {
        it("rejects an invalid name", () => {
            expect(problemsOf({ hosts: [], gateway: { name: "Egress GW" } })).to.deep.equal([
                'gateway.name: "Egress GW" is not a valid Service name: it must be a DNS-1035 label: lower-case ' +
                    'letters, digits and "-", starting with a letter and ending with a letter or digit',
            ]);
        });
        it("rejects an invalid namespace", () => {
            expect(problemsOf({ hosts: [], gateway: { namespace: "-x" } })[0]).to.match(
                /^gateway\.namespace: "-x" is not/,
            );
        });
        it("rejects zero replicas", () => {
            expect(problemsOf({ hosts: [], gateway: { replicas: 0 } })).to.deep.equal([
                "gateway.replicas: 0 must be an integer from 1 to 1000",
            ]);
        });
        it("rejects empty labels", () => {
            expect(problemsOf({ hosts: [], gateway: { labels: {} } })).to.deep.equal([
                "gateway.labels: must not be empty: the gateway pods are selected by these labels",
            ]);
        });
        it("rejects an invalid label value", () => {
            expect(problemsOf({ hosts: [], gateway: { labels: { istio: "egress gateway" } } })).to.deep.equal([
                'gateway.labels["istio"]: "egress gateway" is not a valid label value: it must be empty or letters, ' +
                    'digits, "-", "_" and ".", starting and ending with a letter or digit',
            ]);
        });
        it("rejects an invalid annotation key and a non-string value", () => {
            expect(problemsOf({ hosts: [], gateway: { annotations: { "bad key": "x", ok: 1 } } })).to.deep.equal([
                'gateway.annotations["bad key"]: "bad key" is not a valid annotation key: it must be [prefix/]name ' +
                    'where name is letters, digits, "-", "_" and ".", starting and ending with a letter or digit',
                'gateway.annotations["ok"]: 1 must be a string',
            ]);
        });
        it("rejects an autoscaler whose maximum is below its minimum", () => {
            expect(
                problemsOf({ hosts: [], gateway: { autoscaling: { minReplicas: 3, maxReplicas: 2 } } }),
            ).to.deep.equal(["gateway.autoscaling.maxReplicas: 2 is less than minReplicas (3)"]);
        });
        it("accepts a CPU target above 100 percent of the request, as Kubernetes does", () => {
            const args = validateArgs("egress", {
                hosts: [],
                gateway: { autoscaling: { targetCpuUtilizationPercentage: 150 } },
            });
            expect(args.gateway.workload!.autoscaling!.targetCpuUtilizationPercentage).to.equal(150);
        });
        it("rejects a CPU target of zero percent", () => {
            expect(
                problemsOf({ hosts: [], gateway: { autoscaling: { targetCpuUtilizationPercentage: 0 } } }),
            ).to.deep.equal([
                "gateway.autoscaling.targetCpuUtilizationPercentage: 0 must be an integer from 1 to 2147483647",
            ]);
        });
        it("rejects a disruption budget that allows no disruption", () => {
            expect(problemsOf({ hosts: [], gateway: { podDisruptionBudget: { maxUnavailable: 0 } } })).to.deep.equal([
                "gateway.podDisruptionBudget.maxUnavailable: 0 must be an integer from 1 to 1000",
            ]);
        });
        it("rejects a non-boolean spread setting", () => {
            expect(problemsOf({ hosts: [], gateway: { spreadAcrossNodes: "yes" } })).to.deep.equal([
                'gateway.spreadAcrossNodes: "yes" must be true or false',
            ]);
        });
        it("rejects an unknown field", () => {
            expect(problemsOf({ hosts: [], gateway: { replica: 3 } })).to.deep.equal([
                "gateway.replica: is not a known field (known: name, namespace, shardNamespaces, labels, annotations, replicas, resources, " +
                    "nodeSelector, tolerations, spreadAcrossNodes, podDisruptionBudget, autoscaling, asm)",
            ]);
        });
    });

    describe("existingGateway", () => {
        it("cannot be combined with workload options", () => {
            expect(
                problemsOf({
                    hosts: [],
                    existingGateway: { selector: { istio: "egressgateway" }, serviceName: "istio-egressgateway" },
                    gateway: { replicas: 3 },
                }),
            ).to.deep.equal([
                "existingGateway: cannot be combined with gateway (gateway.replicas); MeshEgress does not manage an " +
                    "existing gateway's workload",
            ]);
        });
        it("refuses ASM's gateway without the ASM instance, or without valid ACK cluster IDs", () => {
            expect(problemsOf({ hosts: [], gateway: { asm: { clusterIds: ["c1"] } } })).to.deep.equal([
                "gateway.asm: needs istioCluster: the IstioGateway goes to the ASM instance's API server",
            ]);
            const istioCluster = { kubeconfig: "asm" };
            expect(problemsOf({ hosts: [], istioCluster, gateway: { asm: { clusterIds: [] } } })).to.deep.equal([
                "gateway.asm.clusterIds: [] must list the ACK clusters that run the gateway",
            ]);
            expect(
                problemsOf({ hosts: [], istioCluster, gateway: { asm: { clusterIds: ["C_1", "c2", "c2"] } } }),
            ).to.deep.equal([
                'gateway.asm.clusterIds[0]: "C_1" is not an ACK cluster ID (lowercase letters and digits)',
                'gateway.asm.clusterIds[2]: "c2" is listed twice',
            ]);
        });
        it("needs a selector and a Service name", () => {
            expect(problemsOf({ hosts: [], existingGateway: {} })).to.deep.equal([
                "existingGateway.selector: is required",
                "existingGateway.serviceName: is required",
            ]);
        });
        it("takes targetPorts from port numbers to port numbers", () => {
            const existingGateway = { selector: { istio: "egressgateway" }, serviceName: "istio-egressgateway" };
            expect(
                problemsOf({
                    hosts: [],
                    existingGateway: { ...existingGateway, targetPorts: { http: 8080, "0443": 8443, "443": 70000 } },
                }),
            ).to.deep.equal([
                "existingGateway.targetPorts.443: 70000 is not a port number (an integer from 1 to 65535)",
                'existingGateway.targetPorts: key "http" must be a port number from 1 to 65535',
                'existingGateway.targetPorts: key "0443" must be a port number from 1 to 65535',
            ]);
            expect(
                problemsOf({ hosts: [], existingGateway: { ...existingGateway, targetPorts: { "80": 15001 } } }),
            ).to.deep.equal(["existingGateway.targetPorts.80: 15001 is reserved by Istio's proxies (15000-15090)"]);
            expect(
                problemsOf({ hosts: [], existingGateway: { ...existingGateway, targetPorts: [8080] } }),
            ).to.deep.equal(["existingGateway.targetPorts: must be an object, got [8080]"]);
        });
        it("refuses targetPorts that send two gateway ports to one pod port, which istiod would listen on once", () => {
            const existingGateway = {
                selector: { istio: "egressgateway" },
                serviceName: "istio-egressgateway",
                targetPorts: { "80": 8080 },
            };
            expect(
                problemsOf({ hosts: [{ host: "a.com" }, { host: "b.com", port: 8080 }], existingGateway }),
            ).to.deep.equal([
                "existingGateway.targetPorts: sends gateway ports 80 and 8080 to the same pod port 8080: istiod keeps " +
                    "one Service port per pod port, so the gateway would listen for only one of them. Give each " +
                    "gateway port a pod port of its own, on the Service and here",
            ]);
        });
    });

    describe("istio and the outbound policy", () => {
        it("rejects an unknown policy mode", () => {
            expect(problemsOf({ hosts: [], outboundTrafficPolicy: { mode: "DENY" } })).to.deep.equal([
                'outboundTrafficPolicy.mode: "DENY" is not one of REGISTRY_ONLY, ALLOW_ANY, AUDIT, UNMANAGED',
            ]);
        });
        it("rejects antiBypass on audited namespaces, whose undeclared calls the audit must let through", () => {
            expect(
                problemsOf({
                    hosts: [],
                    outboundTrafficPolicy: { mode: "AUDIT" },
                    antiBypass: { namespaces: ["apps"] },
                }),
            ).to.deep.equal([
                'antiBypass.namespaces: ["apps"] would have their undeclared calls cut off at the network, which ' +
                    "outboundTrafficPolicy.mode AUDIT lets through and logs; lock them down when you switch to REGISTRY_ONLY",
            ]);
        });
        it("accepts antiBypass on namespaces an audit with NAMESPACE_SIDECARS leaves out", () => {
            const args = {
                hosts: [],
                outboundTrafficPolicy: { mode: "AUDIT", target: "NAMESPACE_SIDECARS", namespaces: ["legacy"] },
                antiBypass: { namespaces: ["apps", "legacy"] },
            };
            expect(problemsOf(args)).to.deep.equal([
                'antiBypass.namespaces: ["legacy"] would have their undeclared calls cut off at the network, which ' +
                    "outboundTrafficPolicy.mode AUDIT lets through and logs; lock them down when you switch to REGISTRY_ONLY",
            ]);
            expect(
                validateArgs("egress", { ...args, antiBypass: { namespaces: ["apps"] } } as MeshEgressArgs).antiBypass,
            ).to.not.equal(undefined);
        });
        it("rejects an unknown policy target", () => {
            expect(problemsOf({ hosts: [], outboundTrafficPolicy: { target: "SIDECAR" } })).to.deep.equal([
                'outboundTrafficPolicy.target: "SIDECAR" is not one of MESH_CONFIG, ROOT_NAMESPACE_SIDECAR, NAMESPACE_SIDECARS',
            ]);
        });
        it("rejects an Istio release that is not MAJOR.MINOR, and one older than 1.19", () => {
            expect(problemsOf({ hosts: [], istio: { version: "latest" } })).to.deep.equal([
                'istio.version: "latest" is not an Istio release like "1.24" (MAJOR.MINOR)',
            ]);
            expect(problemsOf({ hosts: [], istio: { version: "1.18" } })).to.deep.equal([
                'istio.version: "1.18" is older than the oldest release MeshEgress supports, 1.19',
            ]);
        });
        it("takes an Istio release with or without a patch, defaulting to 1.31", () => {
            expect(validateArgs("egress", { hosts: [], istio: { version: "1.20.3" } }).istio.version).to.equal("1.20");
            expect(validateArgs("egress", { hosts: [] }).istio.version).to.equal("1.31");
        });
        it("rejects an invalid root namespace", () => {
            expect(problemsOf({ hosts: [], istio: { rootNamespace: "Istio_Config" } })[0]).to.match(
                /^istio\.rootNamespace: "Istio_Config" is not a valid Kubernetes name/,
            );
        });
        it("rejects an empty access-log provider and a non-boolean switch", () => {
            expect(problemsOf({ hosts: [], accessLog: { provider: "", enabled: "no" } })).to.deep.equal([
                'accessLog.provider: "" must be a provider name',
                'accessLog.enabled: "no" must be true or false',
            ]);
        });
        it("rejects an invalid DNS namespace for the anti-bypass policies", () => {
            expect(
                problemsOf({ hosts: [], antiBypass: { namespaces: ["payments"], dnsNamespace: "Kube System" } })[0],
            ).to.match(/^antiBypass\.dnsNamespace: "Kube System" is not a valid namespace/);
        });
        it("rejects an invalid revision", () => {
            expect(problemsOf({ hosts: [], istio: { revision: "1.30" } })[0]).to.match(
                /^istio\.revision: "1\.30" is not/,
            );
        });
        it("needs a kubeconfig for a separate Istio cluster", () => {
            expect(problemsOf({ hosts: [], istioCluster: { context: "asm" } })).to.deep.equal([
                "istioCluster.kubeconfig: is required",
            ]);
        });
        it("rejects unknown top-level fields", () => {
            expect(problemsOf({ hosts: [], host: "aliyun.com" })).to.deep.equal([
                "args.host: is not a known field (known: hosts, gateway, existingGateway, gatewayHopTls, routingApi, dataplane, existingWaypoint, exportTo, " +
                    "antiBypass, accessLog, outboundTrafficPolicy, istio, istioCluster, clusterCheck, teams, attachTo)",
            ]);
        });
        it("rejects a cluster check that is not a boolean", () => {
            expect(problemsOf({ hosts: [], clusterCheck: "no" })).to.deep.equal([
                'clusterCheck: "no" must be true or false',
            ]);
        });
    });

    describe("normalization", () => {
        it("lower-cases hosts, drops one trailing dot and sorts them", () => {
            const args = validateArgs("egress", {
                hosts: [{ host: "Zeta.Example.com." }, { host: "alpha.example.com" }],
            });
            expect(args.hosts.map((h) => h.host)).to.deep.equal(["alpha.example.com", "zeta.example.com"]);
        });
        it("defaults HTTP to port 80 and TLS passthrough to 443", () => {
            const args = validateArgs("egress", {
                hosts: [{ host: "a.com" }, { host: "b.com", mode: "TLS_PASSTHROUGH" }],
            });
            expect(args.hosts).to.deep.equal([
                {
                    host: "a.com",
                    mode: "HTTP",
                    port: 80,
                    appProtocol: "HTTP",
                    externalPort: 80,
                    gatewayPort: 80,
                    dedicatedGatewayPort: false,
                },
                {
                    host: "b.com",
                    mode: "TLS_PASSTHROUGH",
                    port: 443,
                    appProtocol: "TLS",
                    externalPort: 443,
                    gatewayPort: 443,
                    dedicatedGatewayPort: false,
                },
            ]);
        });
        it("uses ConfigMap istio-<revision> for a revisioned control plane", () => {
            expect(
                validateArgs("egress", { hosts: [], istio: { revision: "canary" } }).istio.meshConfigMapName,
            ).to.equal("istio-canary");
        });
        it("accepts an empty host list", () => {
            expect(validateArgs("egress", { hosts: [] }).hosts).to.deep.equal([]);
        });
    });
});
