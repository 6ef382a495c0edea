// Regression tests for inputs MeshEgress once accepted that the API server rejects or that harm the mesh (issue
// "Egress invariants, proven adversarially", finding 3 and 4): each is now refused at construction, naming the field
// and the value, or handled so that the objects are valid.
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { MeshEgressArgs } from "../../sdk";
import { buildPlan } from "../../sdk/plan";
import { validateArgs } from "../../sdk/validate";
import { problemsOf } from "../support/problems";
import { allocatePorts, DEDICATED_PORT_RANGE, derivedPort } from "../../sdk/validate/ports";

const HOSTS = [{ host: "aliyun.com" }];

describe("Kubernetes' own rules, enforced at construction", () => {
    describe("names by kind", () => {
        it("a component name starting with a digit is refused: it would name the gateway Service", () => {
            expect(problemsOf({ hosts: HOSTS }, "1egress")).to.deep.equal([
                'name: "1egress" must be lower-case letters, digits and "-", starting with a letter and ending with a ' +
                    "letter or digit, at most 253 characters: it prefixes Kubernetes object names, the gateway " +
                    "Service's among them (names that get too long are shortened with a hash)",
            ]);
        });

        it("a gateway name starting with a digit is refused as a Service name (DNS-1035)", () => {
            expect(problemsOf({ hosts: HOSTS, gateway: { name: "1gw" } })).to.deep.equal([
                'gateway.name: "1gw" is not a valid Service name: it must be a DNS-1035 label: lower-case letters, ' +
                    'digits and "-", starting with a letter and ending with a letter or digit',
            ]);
        });

        it("a long component name is shortened with a hash in every name and label, all within 63 characters", () => {
            const name = `egress-${"x".repeat(90)}`;
            const plan = buildPlan(validateArgs(name, { hosts: HOSTS, antiBypass: { namespaces: ["payments"] } }));
            for (const { manifest } of plan.objects) {
                expect(manifest.metadata.name.length, manifest.metadata.name).to.be.at.most(63);
                for (const value of Object.values(manifest.metadata.labels ?? {}))
                    expect(value.length).to.be.at.most(63);
            }
            expect(plan.gatewayHost).to.match(/^egress-x{47}-[0-9a-f]{8}\.istio-system\.svc\.cluster\.local$/);
        });

        it("two long component names that share a prefix get different object names", () => {
            const stem = `egress-${"x".repeat(60)}`;
            const names = (suffix: string) =>
                buildPlan(validateArgs(`${stem}${suffix}`, { hosts: HOSTS })).objects.map((o) => o.key);
            const shared = names("a").filter((key) => names("b").includes(key));
            expect(shared).to.deep.equal([]);
        });
    });

    describe("values passed through to the gateway's pods", () => {
        it("refuses a CPU request that is not a quantity", () => {
            expect(problemsOf({ hosts: HOSTS, gateway: { resources: { requests: { cpu: "lots" } } } })).to.deep.equal([
                'gateway.resources.requests.cpu: "lots" is not a Kubernetes quantity (a number with an optional ' +
                    'suffix such as "m", "Mi" or "Gi", e.g. "100m", "128Mi")',
            ]);
        });

        it("refuses a negative memory limit and a request above its limit", () => {
            const resources = { requests: { cpu: "3" }, limits: { cpu: "2", memory: "-1Gi" } };
            expect(problemsOf({ hosts: HOSTS, gateway: { resources } })).to.deep.equal([
                'gateway.resources.limits.memory: "-1Gi" must not be negative',
                'gateway.resources.requests.cpu: "3" is more than the limit "2"; the API server rejects a request ' +
                    "above its limit",
            ]);
        });

        it("accepts quantities in every suffix Kubernetes knows", () => {
            const requests = { cpu: "250m", memory: "1.5Gi" };
            const limits = { cpu: "2", memory: "2e9" };
            expect(() =>
                validateArgs("egress", { hosts: HOSTS, gateway: { resources: { requests, limits } } }),
            ).to.not.throw();
        });

        it("refuses a toleration operator Kubernetes does not have, and a value with Exists", () => {
            const tolerations = [
                { key: "dedicated", operator: "Equals", value: "egress" },
                { key: "dedicated", operator: "Exists", value: "egress", effect: "NoSchedulee" },
            ];
            expect(problemsOf({ hosts: HOSTS, gateway: { tolerations } })).to.deep.equal([
                'gateway.tolerations[0].operator: "Equals" must be one of Exists, Equal',
                'gateway.tolerations[1].value: "egress" must be empty when operator is "Exists"',
                'gateway.tolerations[1].effect: "NoSchedulee" must be one of NoSchedule, PreferNoSchedule, ' +
                    "NoExecute (or empty for every effect)",
            ]);
        });

        it("refuses a nodeSelector label that Kubernetes rejects", () => {
            expect(problemsOf({ hosts: HOSTS, gateway: { nodeSelector: { "egress node": "yes" } } })).to.deep.equal([
                'gateway.nodeSelector["egress node"]: "egress node" is not a valid label key: it must be [prefix/]name ' +
                    'where name is letters, digits, "-", "_" and ".", starting and ending with a letter or digit',
            ]);
        });

        it("leaves Outputs in Input fields to the API server", () => {
            const resources = { requests: { cpu: pulumi.output("lots") } };
            expect(() =>
                validateArgs("egress", { hosts: HOSTS, gateway: { resources, replicas: pulumi.output(3) } }),
            ).to.not.throw();
        });
    });

    describe("lists", () => {
        it("duplicate anti-bypass namespaces are refused by field, not an internal error", () => {
            expect(problemsOf({ hosts: HOSTS, antiBypass: { namespaces: ["payments", "payments"] } })).to.deep.equal([
                'antiBypass.namespaces[1]: "payments" duplicates antiBypass.namespaces[0]',
            ]);
        });

        it("duplicate sources of a host are refused", () => {
            const from = [{ namespace: "payments" }, { namespace: "payments" }];
            expect(problemsOf({ hosts: [{ host: "aliyun.com", from }] })).to.deep.equal([
                'hosts[0].from[1]: {"namespace":"payments"} duplicates hosts[0].from[0]',
            ]);
        });

        it("duplicate exportTo namespaces and TCP addresses are refused", () => {
            expect(
                problemsOf({
                    hosts: [
                        {
                            host: "db.example.com",
                            mode: "TCP",
                            port: 5432,
                            addresses: ["10.0.0.0/8", "10.0.0.9/8"],
                            endpoints: ["10.0.0.9"],
                        },
                    ],
                    exportTo: ["a", "a"],
                }),
            ).to.deep.equal([
                'exportTo[1]: "a" duplicates exportTo[0]',
                'hosts[0].addresses[1]: "10.0.0.9/8" duplicates hosts[0].addresses[0]',
            ]);
        });
    });

    describe("anti-bypass NetworkPolicies", () => {
        it("are refused in the namespaces the mesh itself needs egress from", () => {
            const namespaces = ["kube-system", "istio-system", "payments"];
            expect(problemsOf({ hosts: HOSTS, antiBypass: { namespaces } })).to.deep.equal([
                'antiBypass.namespaces[0]: "kube-system" must not be locked down: cluster DNS must reach its upstream ' +
                    "resolvers, and the policy would allow it only the gateway",
                'antiBypass.namespaces[1]: "istio-system" must not be locked down: the egress gateway itself must ' +
                    "reach the external hosts, and the policy would allow it only the gateway",
            ]);
        });

        it("are refused in a custom gateway namespace too", () => {
            const args = { hosts: HOSTS, gateway: { namespace: "egress" }, antiBypass: { namespaces: ["egress"] } };
            expect(problemsOf(args)).to.deep.equal([
                'antiBypass.namespaces[0]: "egress" must not be locked down: the egress gateway itself must reach the ' +
                    "external hosts, and the policy would allow it only the gateway",
            ]);
        });
    });

    describe("host names", () => {
        it("refuses a host under the domain MeshEgress reserves for its aliases", () => {
            expect(problemsOf({ hosts: [{ host: "a.mesh-egress.internal" }] })).to.deep.equal([
                'hosts[0].host: "a.mesh-egress.internal" is under mesh-egress.internal, which MeshEgress reserves ' +
                    "for the aliases it declares itself",
            ]);
        });

        it("refuses an all-numeric top-level label", () => {
            expect(problemsOf({ hosts: [{ host: "example.123" }] })).to.deep.equal([
                'hosts[0].host: "example.123" has an all-numeric top-level label "123", which no DNS name has',
            ]);
        });

        it("gives a host and a host that ends in a role's name different objects", () => {
            const plan = buildPlan(
                validateArgs("egress", {
                    hosts: [
                        { host: "a.com", mode: "TLS_ORIGINATION" },
                        { host: "a.com.tls", mode: "TLS_ORIGINATION" },
                        { host: "*.b.com", mode: "TLS_PASSTHROUGH", upstreamHost: "www.b.com" },
                        { host: "star.b.com.upstream", mode: "TLS_PASSTHROUGH" },
                    ],
                }),
            );
            const keys = plan.objects.map((o) => o.key);
            expect(new Set(keys).size).to.equal(keys.length);
            expect(keys).to.include.members([
                "DestinationRule/istio-system/egress-a-com---tls",
                "DestinationRule/istio-system/egress-a-com-tls",
                "DestinationRule/istio-system/egress-a-com-tls---tls",
            ]);
        });
    });

    describe("plain fields", () => {
        it("a Pulumi Output where a plain value is required is named as such, without Pulumi's toJSON warning", () => {
            expect(problemsOf({ hosts: [{ host: pulumi.output("aliyun.com") }] })).to.deep.equal([
                'hosts[0].host: is "<Pulumi Output>", but must be a plain value: it decides which objects MeshEgress ' +
                    "creates or is validated before any of them exists (only gateway.replicas, resources, " +
                    "nodeSelector, tolerations and istioCluster take Outputs)",
            ]);
            expect(problemsOf({ hosts: HOSTS, exportTo: pulumi.output(["*"]) })).to.deep.equal([
                'exportTo: is "<Pulumi Output>", but must be a plain value: it decides which objects MeshEgress ' +
                    "creates or is validated before any of them exists (only gateway.replicas, resources, " +
                    "nodeSelector, tolerations and istioCluster take Outputs)",
            ]);
        });
    });

    describe("TCP destinations", () => {
        it("compares CIDRs as ranges: a network written with host bits is the same network", () => {
            const hosts = [
                { host: "a.db.example", mode: "TCP", port: 5432, addresses: ["10.0.0.0/8"], endpoints: ["10.0.0.5"] },
                { host: "b.db.example", mode: "TCP", port: 5432, addresses: ["10.0.0.1/8"], endpoints: ["10.0.0.6"] },
            ];
            expect(problemsOf({ hosts })).to.deep.equal([
                'hosts[1].addresses: "b.db.example" and hosts[0] ("a.db.example") are TCP on port 5432 without ' +
                    "disjoint addresses: sidecars could not tell their traffic apart; give each its own CIDRs",
            ]);
        });

        it("refuses a CIDR inside another one on the same port, IPv6 included", () => {
            const hosts = [
                {
                    host: "a.db.example",
                    mode: "TCP",
                    port: 5432,
                    addresses: ["2001:db8::/32"],
                    endpoints: ["2001:db8::5"],
                },
                {
                    host: "b.db.example",
                    mode: "TCP",
                    port: 5432,
                    addresses: ["2001:db8:1::/48"],
                    endpoints: ["2001:db8:1::5"],
                },
            ];
            expect(problemsOf({ hosts })[0]).to.match(/^hosts\[1\]\.addresses: "b\.db\.example" and hosts\[0\]/);
        });

        it("emits addresses and endpoints in canonical form", () => {
            const [host] = validateArgs("egress", {
                hosts: [
                    {
                        host: "db.example",
                        mode: "TCP",
                        port: 5432,
                        addresses: ["10.1.2.3/16", "2001:DB8::1"],
                        endpoints: ["10.1.2.3"],
                    },
                ],
            }).hosts;
            expect(host.tcp).to.deep.equal({ addresses: ["10.1.0.0/16", "2001:db8::1"], endpoints: ["10.1.2.3"] });
        });

        it("needs endpoints with a CIDR: Istio accepts CIDR addresses only with STATIC resolution", () => {
            expect(
                problemsOf({ hosts: [{ host: "db.example", mode: "TCP", port: 5432, addresses: ["10.0.0.0/8"] }] }),
            ).to.deep.equal([
                'hosts[0].endpoints: are required with the CIDRs ["10.0.0.0/8"]: Istio takes CIDR addresses only with ' +
                    "STATIC resolution (the gateway must be told where to connect; it never sees the address the app " +
                    "dialled)",
            ]);
        });

        it("refuses shorthand IPv4 that Kubernetes and Istio do not parse", () => {
            expect(
                problemsOf({ hosts: [{ host: "db.example", mode: "TCP", port: 5432, endpoints: ["10.1"] }] }),
            ).to.deep.equal(['hosts[0].endpoints[0]: "10.1" is not an IP address']);
        });
    });

    describe("dedicated gateway ports", () => {
        it("the allocator returns, leaving out a host, when every port of the range is taken", () => {
            const taken = Array.from(
                { length: DEDICATED_PORT_RANGE.to - DEDICATED_PORT_RANGE.from + 1 },
                (_, i) => i + 20000,
            );
            expect([...allocatePorts([{ host: "a.com" }], taken)]).to.deep.equal([]);
        });

        it("a pinned gatewayPort moves the host whose derived port it takes, and only that host", () => {
            const hosts = [
                { host: "api.stripe.com", mode: "TCP", port: 5432 },
                { host: "pinned.example.com", mode: "TCP", port: 5433, gatewayPort: derivedPort("api.stripe.com") },
            ];
            const args = { hosts, gatewayHopTls: "DISABLE" } as MeshEgressArgs;
            const ports = Object.fromEntries(validateArgs("egress", args).hosts.map((h) => [h.host, h.gatewayPort]));
            expect(ports).to.deep.equal({
                "api.stripe.com": derivedPort("api.stripe.com") + 1,
                "pinned.example.com": 30249,
            });
        });
    });
});
