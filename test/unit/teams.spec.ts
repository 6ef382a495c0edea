// Many teams, one gateway: a platform grants teams namespaces, modes and ports on its gateway and publishes what they
// attach with; a team's component attached to the grant declares only hosts, and asking for more is refused.
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { EgressAttachment, MeshEgress, MeshEgressArgs } from "../../sdk";
import { buildPlan } from "../../sdk/plan";
import { MeshEgressArgsError, validateArgs } from "../../sdk/validate";
import { runProgram } from "../support/mocks";
import { manifest } from "../support/planned";

const PLATFORM: MeshEgressArgs = {
    hosts: [{ host: "aliyun.com" }],
    gateway: { name: "platform-gateway" },
    teams: [
        { name: "payments", namespaces: ["payments"], modes: ["TLS_PASSTHROUGH", "HTTP"] },
        { name: "data", namespaces: ["etl", "reports"], ports: [5432] },
    ],
};

const GRANT: EgressAttachment = {
    platform: "platform/prod/platform",
    team: "payments",
    gatewayNamespace: "istio-system",
    gatewayServiceName: "platform-gateway",
    gatewaySelector: { istio: "egressgateway", app: "platform-gateway" },
    targetPorts: {},
    gatewayHopTls: "ISTIO_MUTUAL",
    routingApi: "ISTIO",
    istio: { version: "1.31", namespace: "istio-system", revision: "", rootNamespace: "istio-system" },
    namespaces: ["payments"],
    modes: ["TLS_PASSTHROUGH", "HTTP"],
    ports: [80, 443],
};

function problemsOf(args: MeshEgressArgs): string[] {
    try {
        validateArgs("payments", args);
    } catch (error) {
        if (error instanceof MeshEgressArgsError) return error.problems;
        throw error;
    }
    throw new Error("expected the arguments to be refused");
}

describe("teams on one gateway", () => {
    describe("the platform's grants", () => {
        const plan = buildPlan(validateArgs("platform", PLATFORM));

        it("publishes, per team, everything the team's component attaches with", () => {
            const { platform: _platform, ...granted } = GRANT;
            expect(plan.attachments).to.deep.equal({
                payments: granted,
                data: {
                    ...granted,
                    team: "data",
                    namespaces: ["etl", "reports"],
                    modes: ["HTTP", "TLS_PASSTHROUGH", "TLS_ORIGINATION", "MUTUAL_TLS_ORIGINATION", "TCP"],
                    ports: [5432],
                },
            });
        });

        it("exposes every granted port on the gateway's Service, so a team's host listens there in either routing API", () => {
            const ports = (manifest(plan, "Service/istio-system/platform-gateway").spec as any).ports.map(
                (p: { port: number }) => p.port,
            );
            expect(ports).to.deep.equal([15021, 80, 443, 5432]);
        });

        it("refuses teams under the ambient data plane, and a team without namespaces", () => {
            expect(
                problemsOf({
                    hosts: [],
                    dataplane: "AMBIENT",
                    antiBypass: { namespaces: ["x"] },
                    teams: PLATFORM.teams,
                }),
            ).to.deep.equal([
                'teams: cannot be used with dataplane "AMBIENT": sharing a waypoint between components is not verified',
            ]);
            expect(problemsOf({ hosts: [], teams: [{ name: "x", namespaces: [] }] })).to.deep.equal([
                "teams[0].namespaces: must list the namespaces the team serves",
            ]);
        });
    });

    describe("a team's component attached to its grant", () => {
        const team = validateArgs("payments", {
            hosts: [{ host: "api.stripe.com", mode: "TLS_PASSTHROUGH" }],
            attachTo: GRANT,
        });

        it("uses the platform's gateway, hop and Istio settings, leaves the mesh config alone, and logs nothing of its own", () => {
            expect(team.gateway).to.deep.equal({
                serviceName: "platform-gateway",
                namespace: "istio-system",
                selector: { istio: "egressgateway", app: "platform-gateway" },
                targetPorts: {},
            });
            expect(team.policy.mode).to.equal("UNMANAGED");
            expect(team.accessLog.enabled).to.equal(false);
            expect(team.attachedTo).to.deep.equal({ platform: "platform/prod/platform", team: "payments" });
        });

        it("opens a host without `from` to exactly the granted namespaces, and shows it there only", () => {
            expect(team.hosts[0].sources).to.deep.equal([{ namespace: "payments" }]);
            expect(team.exportTo).to.deep.equal(["payments"]);
        });

        it("refuses a host that asks for a mode, a port or a namespace the grant does not allow, naming the grant", () => {
            expect(
                problemsOf({
                    hosts: [
                        { host: "db.example.com", mode: "TCP", port: 5432 },
                        { host: "a.example.com", from: [{ namespace: "shop" }] },
                    ],
                    attachTo: GRANT,
                }),
            ).to.deep.equal([
                'hosts[1].from[0].namespace: "shop" is not a namespace granted to team "payments" by platform platform/prod/platform (granted: payments)',
                'hosts[0].mode: "TCP" is not granted to team "payments" by platform platform/prod/platform (granted: TLS_PASSTHROUGH, HTTP)',
                'hosts[0].port: 5432 is not granted to team "payments" by platform platform/prod/platform (granted: 80, 443)',
            ]);
        });

        it("refuses what the grant decides, set beside it", () => {
            expect(
                problemsOf({
                    hosts: [],
                    attachTo: GRANT,
                    gateway: { replicas: 3 },
                    outboundTrafficPolicy: { mode: "REGISTRY_ONLY" },
                }),
            ).to.deep.equal([
                "gateway: cannot be combined with attachTo: the platform's grant decides it",
                "outboundTrafficPolicy: cannot be combined with attachTo: the platform's grant decides it",
            ]);
        });

        it("refuses a grant that is not a platform's attachments output", () => {
            expect(
                problemsOf({ hosts: [], attachTo: { team: "payments" } as unknown as EgressAttachment }),
            ).to.deep.equal([
                "attachTo: lacks platform, gatewayNamespace, gatewayServiceName, gatewaySelector, gatewayHopTls, " +
                    "routingApi, istio, namespaces, modes, ports: pass a platform's attachments output for this team as it is",
            ]);
        });
    });

    describe("under Pulumi's mocks", () => {
        it("publishes each grant with the platform's identity", async () => {
            let platform: MeshEgress | undefined;
            await runProgram(() => (platform = new MeshEgress("platform", PLATFORM)), { preview: true });
            const attachments = await new Promise((resolve) => platform!.attachments.apply(resolve));
            expect((attachments as Record<string, EgressAttachment>).payments).to.deep.equal({
                ...GRANT,
                platform: "project/stack/platform",
            });
        });

        it("waits for an attachment that is an Output (a stack reference's), then registers the team's objects", async () => {
            const run = await runProgram(
                () =>
                    new MeshEgress("payments", {
                        hosts: [{ host: "api.stripe.com", mode: "TLS_PASSTHROUGH" }],
                        attachTo: pulumi.output(GRANT),
                    }),
                { preview: true },
            );
            const kinds = run.registrations.filter((r) => r.custom).map((r) => `${r.type.split(":").pop()} ${r.name}`);
            expect(kinds).to.include.members([
                "ServiceEntry payments/istio-system/payments-api-stripe-com",
                "AuthorizationPolicy payments/istio-system/payments-api-stripe-com---sources",
            ]);
            expect(
                kinds.filter((k) => k.startsWith("Deployment") || k.startsWith("MeshConfigOutboundMode")),
            ).to.deep.equal([]);
        });

        it("refuses, with nothing but the component registered, a host an Output attachment does not grant", async () => {
            let team: MeshEgress | undefined;
            const run = await runProgram(
                () =>
                    (team = new MeshEgress("payments", {
                        hosts: [{ host: "db.example.com", mode: "TCP", port: 5432 }],
                        attachTo: pulumi.output(GRANT),
                    })),
                { preview: true },
            );
            const failure = await (team!.summary as any).promise().then(
                () => undefined,
                (error: Error) => error,
            );
            expect(failure?.message).to.include('hosts[0].mode: "TCP" is not granted to team "payments"');
            expect(run.registrations.filter((r) => r.custom)).to.deep.equal([]);
        });
    });
});
