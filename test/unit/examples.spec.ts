// The example programs construct what they promise.
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import * as path from "node:path";
import { runProgram } from "../support/mocks";
import { childName } from "../support/planned";
import { SEED_CHILDREN } from "../support/seed";

// The quickstart depends on "mesh-egress" as file:../.. ; resolve the name to this checkout, as that install would.
const Module = require("node:module");
const resolveFilename = Module._resolveFilename;
before(() => {
    Module._resolveFilename = function (request: string, ...rest: unknown[]) {
        return resolveFilename.call(
            this,
            request === "mesh-egress" ? path.join(__dirname, "..", "..") : request,
            ...rest,
        );
    };
});
after(() => {
    Module._resolveFilename = resolveFilename;
});

function loadProgram(file: string): () => void {
    const resolved = require.resolve(path.join(__dirname, "..", "..", "examples", file));
    return () => {
        delete require.cache[resolved];
        require(resolved);
    };
}

describe("examples", () => {
    it("the quickstart constructs the seed scenario: aliyun.com over HTTP/80 behind REGISTRY_ONLY", async () => {
        const run = await runProgram(loadProgram("quickstart/index.ts"), { preview: true });
        const names = run.registrations.filter((r) => r.custom).map((r) => `${r.type} ${r.name}`);
        expect(names).to.have.members(SEED_CHILDREN);
        const se = run.registrations.find((r) => r.type.endsWith(":ServiceEntry"))!;
        expect(se.inputs.spec.hosts).to.deep.equal(["aliyun.com"]);
        expect(se.inputs.spec.ports).to.deep.equal([{ number: 80, name: "http-80", protocol: "HTTP" }]);
        const policy = run.registrations.find((r) => r.name === "egress-outbound-policy")!;
        expect(policy.inputs.mode).to.equal("REGISTRY_ONLY");
    });

    it("the Gateway API example routes both hosts with a ListenerSet and Gateway API routes, no Istio Gateway or VirtualService", async () => {
        const run = await runProgram(loadProgram("gateway-api/index.ts"), { preview: true });
        const kinds = run.registrations
            .filter((r) => r.type.startsWith("kubernetes:gateway.networking.k8s.io/v1:"))
            .map((r) => `${r.type.split(":").pop()} ${r.name}`);
        expect(kinds).to.have.members([
            `Gateway ${childName("egress-gateway")}`,
            `ListenerSet ${childName("egress-aliyun-com")}`,
            `HTTPRoute ${childName("egress-aliyun-com---gateway")}`,
            `HTTPRoute ${childName("egress-aliyun-com")}`,
            `ListenerSet ${childName("egress-api-stripe-com")}`,
            `TCPRoute ${childName("egress-api-stripe-com---gateway")}`,
            `TLSRoute ${childName("egress-api-stripe-com")}`,
        ]);
        const istioRoutes = run.registrations.filter(
            (r) => /:(Gateway|VirtualService)$/.test(r.type) && r.type.includes("istio.io"),
        );
        expect(istioRoutes).to.deep.equal([]);
    });

    it("the ambient example creates the egress waypoint, binds both hosts to it and locks shop to it", async () => {
        const run = await runProgram(loadProgram("ambient/index.ts"), { preview: true });
        const names = run.registrations.filter((r) => r.custom).map((r) => `${r.type.split(":").pop()} ${r.name}`);
        expect(names).to.include.members([
            `ConfigMap ${childName("egress-waypoint-parameters", "istio-egress")}`,
            `Gateway ${childName("egress-waypoint", "istio-egress")}`,
            `ServiceEntry ${childName("egress-aliyun-com", "istio-egress")}`,
            `ServiceEntry ${childName("egress-api-stripe-com", "istio-egress")}`,
            `AuthorizationPolicy ${childName("egress-api-stripe-com", "istio-egress")}`,
            `NetworkPolicy ${childName("egress-egress-only-via-gateway", "shop")}`,
        ]);
        expect(names.filter((n) => /^(VirtualService|Deployment|DestinationRule) /.test(n))).to.deep.equal([]);
        const waypoint = run.registrations.find((r) => r.type.endsWith(":Gateway"))!;
        expect(waypoint.inputs.spec.gatewayClassName).to.equal("istio-waypoint");
        expect(waypoint.inputs.metadata.namespace).to.equal("istio-egress");
    });

    it("the ASM example creates ASM's IstioGateway and the Istio objects in the ASM instance, the rest in ACK", async () => {
        const run = await runProgram(
            () => {
                pulumi.runtime.setAllConfig({
                    "project:asmKubeconfig": "asm-instance",
                    "project:ackKubeconfig": "ack-cluster",
                    "project:ackClusterId": "c0123456789abcdef0123456789abcdef",
                });
                loadProgram("asm/index.ts")();
            },
            { preview: true },
        );
        const providerOf = (type: string) =>
            run.registrations.filter((r) => r.type === type).map((r) => r.provider.split("::")[3]);
        const gateway = run.registrations.find((r) => r.type.endsWith(":IstioGateway"))!;
        expect(gateway.type).to.equal("kubernetes:istio.alibabacloud.com/v1beta1:IstioGateway");
        expect(gateway.inputs.spec.clusterIds).to.deep.equal(["c0123456789abcdef0123456789abcdef"]);
        expect(providerOf("kubernetes:istio.alibabacloud.com/v1beta1:IstioGateway")).to.deep.equal(["egress-istio"]);
        expect(providerOf("kubernetes:networking.istio.io/v1:Sidecar")).to.deep.equal(["egress-istio"]);
        expect(providerOf("kubernetes:policy/v1:PodDisruptionBudget")).to.deep.equal(["ack"]);
        expect(run.registrations.some((r) => r.type === "kubernetes:apps/v1:Deployment")).to.equal(false);
    });

    it("the repository's stack program builds MeshEgress from stack config", async () => {
        const run = await runProgram(
            () => {
                pulumi.runtime.setAllConfig({
                    "project:hosts": JSON.stringify([
                        { host: "aliyun.com" },
                        { host: "api.stripe.com", mode: "TLS_PASSTHROUGH" },
                    ]),
                    "project:outboundTrafficPolicy": JSON.stringify({ target: "ROOT_NAMESPACE_SIDECAR" }),
                });
                loadProgram("config/index.ts")();
            },
            { preview: true },
        );
        const names = run.registrations.filter((r) => r.custom).map((r) => `${r.type} ${r.name}`);
        expect(names).to.include.members([
            `kubernetes:networking.istio.io/v1:VirtualService ${childName("egress-aliyun-com")}`,
            `kubernetes:networking.istio.io/v1:VirtualService ${childName("egress-api-stripe-com")}`,
            `kubernetes:networking.istio.io/v1:Sidecar ${childName("egress-outbound-policy")}`,
        ]);
    });
});
