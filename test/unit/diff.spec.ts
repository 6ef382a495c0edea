// Two consecutive inputs, compared the way the engine would: which children appear, disappear or change.
import { expect } from "chai";
import { MeshEgress, MeshEgressArgs } from "../../sdk";
import { Registration, runProgram } from "../support/mocks";
import { childName } from "../support/planned";

interface Diff {
    created: string[];
    deleted: string[];
    changed: string[];
}

function index(registrations: Registration[]): Map<string, string> {
    const byId = new Map<string, string>();
    for (const r of registrations) {
        const { __provider, ...inputs } = r.inputs;
        // The engine diffs inputs; dependencies order operations but are not part of a diff.
        byId.set(`${r.type} ${r.name}`, JSON.stringify(inputs));
    }
    return byId;
}

async function diff(before: MeshEgressArgs, after: MeshEgressArgs): Promise<Diff> {
    const old = index((await runProgram(() => new MeshEgress("egress", before), { preview: true })).registrations);
    const next = index((await runProgram(() => new MeshEgress("egress", after), { preview: true })).registrations);
    return {
        created: [...next.keys()].filter((k) => !old.has(k)).sort(),
        deleted: [...old.keys()].filter((k) => !next.has(k)).sort(),
        changed: [...next.keys()].filter((k) => old.has(k) && old.get(k) !== next.get(k)).sort(),
    };
}

const HOSTS = [
    { host: "aliyun.com" },
    { host: "api.stripe.com", mode: "TLS_PASSTHROUGH" as const },
    { host: "example.org", port: 8080 },
];
const ISTIO = "kubernetes:networking.istio.io/v1";
const POLICY = "pulumi-nodejs:dynamic/mesh-egress:MeshConfigOutboundMode egress-outbound-policy";
const COMPONENT = "mesh-egress:index:MeshEgress egress";

function hostObjects(name: string): string[] {
    const own = ["DestinationRule", "Gateway", "ServiceEntry", "VirtualService"].map(
        (kind) => `${ISTIO}:${kind} ${childName(name)}`,
    );
    return [...own, `${ISTIO}:ServiceEntry ${childName(`${name}---hop`)}`].sort();
}

describe("diffs between two inputs", () => {
    it("reordering hosts changes no child", async () => {
        expect(await diff({ hosts: HOSTS }, { hosts: [...HOSTS].reverse() })).to.deep.equal({
            created: [],
            deleted: [],
            changed: [],
        });
    });

    it("adding a host creates its five objects and changes nothing else", async () => {
        expect(
            await diff({ hosts: HOSTS }, { hosts: [...HOSTS, { host: "new.example.com", port: 8080 }] }),
        ).to.deep.equal({
            created: hostObjects("egress-new-example-com"),
            deleted: [],
            changed: [COMPONENT],
        });
    });

    it("adding a host on a new port also adds the port to the gateway Service", async () => {
        expect(
            await diff({ hosts: HOSTS }, { hosts: [...HOSTS, { host: "new.example.com", port: 9090 }] }),
        ).to.deep.equal({
            created: hostObjects("egress-new-example-com"),
            deleted: [],
            changed: [COMPONENT, `kubernetes:core/v1:Service ${childName("egress-gateway")}`].sort(),
        });
    });

    it("removing a host deletes exactly its objects", async () => {
        expect(await diff({ hosts: HOSTS }, { hosts: HOSTS.filter((h) => h.host !== "api.stripe.com") })).to.deep.equal(
            {
                created: [],
                deleted: hostObjects("egress-api-stripe-com"),
                changed: [COMPONENT, `kubernetes:core/v1:Service ${childName("egress-gateway")}`].sort(),
            },
        );
    });

    it("changing one host's port changes only that host's objects and the gateway Service", async () => {
        const moved = HOSTS.map((h) => (h.host === "example.org" ? { ...h, port: 9090 } : h));
        expect(await diff({ hosts: HOSTS }, { hosts: moved })).to.deep.equal({
            created: [],
            deleted: [],
            changed: [
                COMPONENT,
                `${ISTIO}:Gateway ${childName("egress-example-org")}`,
                `${ISTIO}:ServiceEntry ${childName("egress-example-org")}`,
                `${ISTIO}:ServiceEntry ${childName("egress-example-org---hop")}`,
                `${ISTIO}:VirtualService ${childName("egress-example-org")}`,
                `kubernetes:core/v1:Service ${childName("egress-gateway")}`,
            ].sort(),
        });
    });

    it("switching one host's mode changes only that host's objects and the gateway Service's ports", async () => {
        const switched = HOSTS.map((h) =>
            h.host === "api.stripe.com" ? { host: h.host, mode: "TLS_ORIGINATION" as const, port: 8081 } : h,
        );
        expect(await diff({ hosts: HOSTS }, { hosts: switched })).to.deep.equal({
            created: [
                `${ISTIO}:DestinationRule ${childName("egress-api-stripe-com---tls")}`,
                `${ISTIO}:ServiceEntry ${childName("egress-api-stripe-com---upstream")}`,
                `${ISTIO}:VirtualService ${childName("egress-api-stripe-com---gateway")}`,
            ],
            deleted: [],
            changed: [
                COMPONENT,
                `kubernetes:core/v1:Service ${childName("egress-gateway")}`,
                // The hop's TLS (Istio mTLS, SNI = the host) is the same in both modes: its rule stays.
                ...hostObjects("egress-api-stripe-com").filter((o) => !o.includes(":DestinationRule ")),
            ].sort(),
        });
    });

    it("switching the policy to ALLOW_ANY changes only the policy", async () => {
        expect(
            await diff({ hosts: HOSTS }, { hosts: HOSTS, outboundTrafficPolicy: { mode: "ALLOW_ANY" } }),
        ).to.deep.equal({ created: [], deleted: [], changed: [COMPONENT, POLICY] });
    });
});
