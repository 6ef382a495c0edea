// Many teams, one mesh, on the real engine: a platform stack deploys the gateway and grants two teams; each team's
// stack attaches through a stack reference (examples/teams) and declares only its hosts. Each team's up, preview and
// destroy touches only its own objects; a host another stack declares, or a mode the grant does not allow, fails the
// team's preview naming the other owner or the grant; destroying a team leaves the platform, the other team and the
// mesh config as they were.
import { Stack } from "@pulumi/pulumi/automation";
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ExternalHost } from "../../sdk";
import { LocalCluster, startCluster } from "./support/cluster";
import { Kube, kube } from "./support/kube";
import { PLUGIN, PLUGIN_DIR } from "./support/languageExample";
import { scratchStack } from "./support/scratchProject";
import { backendEnv, programStack } from "./support/stack";
import { REPO, Toolchain, run, toolchain } from "./support/toolchain";

const PLATFORM_PROGRAM = path.join(REPO, "examples", "teams", "platform");
const TEAM_PROGRAM = path.join(REPO, "examples", "teams", "team");
const PAYMENTS: ExternalHost[] = [{ host: "api.stripe.com", mode: "TLS_PASSTHROUGH" }];
const SHOP: ExternalHost[] = [{ host: "shop-api.example.com", from: [{ namespace: "shop" }] }];

function echo(text: string): void {
    process.stdout.write(text.replace(/^/gm, "        | "));
}

/** A Kubernetes object a stack's state holds. */
interface StateObject {
    apiVersion: string;
    kind: string;
    namespace: string;
    name: string;
}

async function stateObjects(stack: Stack): Promise<StateObject[]> {
    const resources = (await stack.exportStack()).deployment.resources ?? [];
    return resources
        .filter((r: any) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:pulumi"))
        .map((r: any) => ({
            apiVersion: r.outputs.apiVersion,
            kind: r.outputs.kind,
            namespace: r.outputs.metadata.namespace,
            name: r.outputs.metadata.name,
        }));
}

const named = (objects: StateObject[]) => objects.map((o) => `${o.kind} ${o.namespace}/${o.name}`).sort();

describe("Many teams, one mesh: a platform stack and two team stacks on its gateway (real CLI, stack references)", function () {
    this.timeout(20 * 60 * 1000);
    let tools: Toolchain;
    let cluster: LocalCluster;
    let api: Kube;
    let workHome: string;
    let platform: Stack;
    const teams = new Map<string, Stack>();
    let meshBefore: string;

    async function stackOf(program: string, name: string, config: Record<string, unknown>): Promise<Stack> {
        const stack = await scratchStack(tools, workHome, program, name, { KUBECONFIG: cluster.kubeconfigPath });
        for (const [key, value] of Object.entries(config)) {
            await stack.setConfig(key, { value: typeof value === "string" ? value : JSON.stringify(value) });
        }
        return stack;
    }

    /** A team's stack of examples/teams/team, attached to the platform stack's grant for it. */
    function teamStack(team: string, hosts: ExternalHost[]): Promise<Stack> {
        return stackOf(TEAM_PROGRAM, team, {
            team,
            hosts,
            platformStack: "organization/mesh-egress-platform/platform",
        });
    }

    async function preview(stack: Stack): Promise<string | undefined> {
        try {
            await stack.preview();
            return undefined;
        } catch (error) {
            return (error as Error).message;
        }
    }

    /** Which of the objects still exist in the cluster. */
    async function stillLive(objects: StateObject[]): Promise<string[]> {
        const live: string[] = [];
        for (const o of objects) {
            if (await api.get(o.apiVersion, o.kind, o.namespace, o.name))
                live.push(`${o.kind} ${o.namespace}/${o.name}`);
        }
        return live;
    }

    before(async () => {
        tools = toolchain();
        workHome = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-teams-"));
        cluster = startCluster(tools);
        api = await kube(cluster.kubeconfig);
        for (const namespace of ["payments", "shop"]) {
            run(tools, "kubectl", ["--kubeconfig", cluster.kubeconfigPath, "create", "namespace", namespace]);
        }
        meshBefore = (await api.configMapData("istio-system", "istio"))!.mesh;
        platform = await stackOf(PLATFORM_PROGRAM, "platform", {
            gatewayAnnotations: { "pulumi.com/skipAwait": "true" },
        });
        expect((await platform.up({ onOutput: echo })).summary.result).to.equal("succeeded");
        teams.set("payments", await teamStack("payments", PAYMENTS));
        teams.set("shop", await teamStack("shop", SHOP));
        for (const stack of teams.values()) {
            expect((await stack.up({ onOutput: echo })).summary.result).to.equal("succeeded");
        }
    });

    after(async () => {
        for (const stack of [...teams.values(), platform]) await stack?.destroy().catch(() => undefined);
        cluster?.stop();
        if (workHome) fs.rmSync(workHome, { recursive: true, force: true });
    });

    /**
     * The payments team's api.stripe.com as its component `component` made it: owned by `owner`, seen by the gateway
     * and the team's namespace only, and denied at the platform's gateway to every other namespace.
     */
    async function expectPaymentsStripe(component: string, owner: string): Promise<void> {
        const entry = await api.get(
            "networking.istio.io/v1",
            "ServiceEntry",
            "istio-system",
            `${component}-api-stripe-com`,
        );
        expect(entry.metadata.annotations["mesh-egress.io/owner"]).to.equal(owner);
        expect(entry.spec.exportTo).to.deep.equal(["istio-system", "payments"]);
        const name = `${component}-api-stripe-com---sources`;
        const deny = await api.get("security.istio.io/v1", "AuthorizationPolicy", "istio-system", name);
        expect(deny.spec).to.deep.include({ action: "DENY" });
        expect(deny.spec.selector).to.deep.equal({ matchLabels: { istio: "egressgateway", app: "platform-gateway" } });
        expect(deny.spec.rules[0].from).to.deep.equal([{ source: { notNamespaces: ["payments"] } }]);
    }

    it("each team's objects are its own: the platform's gateway, its owner annotation, no gateway or mesh config of its own", async () => {
        const payments = named(await stateObjects(teams.get("payments")!));
        expect(payments).to.include("ServiceEntry istio-system/payments-api-stripe-com");
        expect(payments).to.include("AuthorizationPolicy istio-system/payments-api-stripe-com---sources");
        expect(payments.filter((o) => /^(Deployment|Service|Telemetry) /.test(o))).to.deep.equal([]);
        await expectPaymentsStripe("payments", "mesh-egress-team/payments/payments");
        const resources = (await teams.get("payments")!.exportStack()).deployment.resources ?? [];
        expect(resources.some((r: any) => r.type.includes("MeshConfigOutboundMode"))).to.equal(false);
    });

    it("every stack previews no change after the three ups", async () => {
        for (const stack of [platform, ...teams.values()]) await stack.preview({ expectNoChanges: true });
    });

    it("a team declaring a host another team's stack already declares fails its preview, naming that stack", async () => {
        const intruder = await teamStack("shop", [...SHOP, { host: "api.stripe.com", mode: "TLS_PASSTHROUGH" }]);
        try {
            const error = await preview(intruder);
            expect(error).to.include(
                "host api.stripe.com:443 is already declared by ServiceEntry istio-system/payments-api-stripe-com, " +
                    "owned by MeshEgress mesh-egress-team/payments/payments",
            );
        } finally {
            await intruder.setConfig("hosts", { value: JSON.stringify(SHOP) });
        }
    });

    it("a team asking for a mode its grant does not allow fails its preview, naming the grant", async () => {
        const payments = teams.get("payments")!;
        await payments.setConfig("hosts", {
            value: JSON.stringify([...PAYMENTS, { host: "db.example.com", mode: "TCP", port: 5432 }]),
        });
        try {
            expect(await preview(payments)).to.include(
                'hosts[1].mode: "TCP" is not granted to team "payments" by platform mesh-egress-platform/platform/platform',
            );
        } finally {
            await payments.setConfig("hosts", { value: JSON.stringify(PAYMENTS) });
        }
    });

    it("destroying a team removes its objects only: the platform's, the other team's and the mesh config stay", async () => {
        const payments = teams.get("payments")!;
        const others = [...(await stateObjects(platform)), ...(await stateObjects(teams.get("shop")!))];
        const own = await stateObjects(payments);
        expect(own.length, "the team's objects").to.be.greaterThan(0);
        await payments.destroy({ onOutput: echo });
        try {
            expect(await stillLive(own)).to.deep.equal([]);
            expect((await stillLive(others)).sort()).to.deep.equal(named(others));
            for (const stack of [platform, teams.get("shop")!]) await stack.preview({ expectNoChanges: true });
            const mesh = (await api.configMapData("istio-system", "istio"))!.mesh;
            expect(mesh).to.include("REGISTRY_ONLY");
        } finally {
            expect((await payments.up({ onOutput: echo })).summary.result).to.equal("succeeded");
        }
    });

    it("a team's program in Pulumi YAML attaches through the plugin with its grant from a stack reference", async () => {
        // The same grant as the TypeScript payments team, whose hosts it declares: that stack goes first.
        const payments = teams.get("payments")!;
        await payments.destroy({ onOutput: echo });
        const program = path.join(workHome, "team-yaml");
        fs.cpSync(path.join(REPO, "examples", "teams", "team-yaml"), program, { recursive: true });
        const env = {
            ...backendEnv(workHome),
            KUBECONFIG: cluster.kubeconfigPath,
            PATH: `${PLUGIN_DIR}:${tools.env.PATH}`,
        };
        run(tools, "pulumi", ["package", "add", PLUGIN], env, program);
        const yaml = await programStack(tools, workHome, program, "payments-yaml", env);
        await yaml.setConfig("platformStack", { value: "organization/mesh-egress-platform/platform" });
        try {
            expect((await yaml.up({ onOutput: echo })).summary.result).to.equal("succeeded");
            await expectPaymentsStripe("egress", "mesh-egress-team-yaml/payments-yaml/egress");
            await yaml.preview({ expectNoChanges: true });
        } finally {
            await yaml.destroy({ onOutput: echo });
            expect((await payments.up({ onOutput: echo })).summary.result).to.equal("succeeded");
        }
    });

    it("destroying the teams and then the platform restores the mesh config byte for byte", async () => {
        for (const stack of teams.values()) await stack.destroy({ onOutput: echo });
        await platform.destroy({ onOutput: echo });
        expect((await api.configMapData("istio-system", "istio"))!.mesh).to.equal(meshBefore);
        // The other tests expect the stacks up, whatever order they run in.
        expect((await platform.up({ onOutput: echo })).summary.result).to.equal("succeeded");
        for (const stack of teams.values()) expect((await stack.up()).summary.result).to.equal("succeeded");
    });
});
