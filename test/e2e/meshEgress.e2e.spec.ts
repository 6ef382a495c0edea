// End to end on real parts: the Pulumi CLI and its Node.js language host, the Kubernetes provider plugin, a local
// kube-apiserver + etcd with Istio's CRDs, and istioctl. `before` brings the stack up once; every test then runs on
// its own (each sets the stack config it previews, and the destroy test brings the stack back up afterwards).
import { Stack } from "@pulumi/pulumi/automation";
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { ExternalHost, MeshEgressArgs } from "../../sdk";
import { buildPlan } from "../../sdk/plan";
import { driftedFields } from "../../sdk/plan/drift";
import { validateArgs } from "../../sdk/validate";
import { LocalCluster, startCluster } from "./support/cluster";
import { Kube, kube } from "./support/kube";
import { localStack, removeStackConfigs } from "./support/stack";
import { childName } from "../support/planned";
import { REPO, Toolchain, run, toolchain } from "./support/toolchain";

// Every mode, with the default Istio-mTLS gateway hop.
const HOSTS: ExternalHost[] = [
    { host: "aliyun.com" },
    { host: "api.stripe.com", mode: "TLS_PASSTHROUGH", from: [{ namespace: "payments" }] },
    { host: "example.org", port: 8080 },
    { host: "edition.cnn.com", mode: "TLS_ORIGINATION" },
    { host: "mtls.example.com", mode: "MUTUAL_TLS_ORIGINATION", tls: { credentialName: "client-credential" } },
    { host: "*.wikipedia.org", mode: "TLS_PASSTHROUGH", upstreamHost: "www.wikipedia.org" },
    { host: "mongo.example.com", mode: "TCP", port: 27017, addresses: ["192.0.2.0/24"], endpoints: ["192.0.2.10"] },
];
const ANTI_BYPASS = { namespaces: ["payments"] };
const ISTIO = "kubernetes:networking.istio.io/v1";
const HOST_KINDS = ["DestinationRule", "Gateway", "ServiceEntry", "VirtualService"];
// Under AMBIENT every HTTP host has an AuthorizationPolicy on its ServiceEntry.
const HOST_POLICY = "kubernetes:security.istio.io/v1:AuthorizationPolicy";
// The anti-bypass NetworkPolicy lists the gateway ports, so it changes with them.
const NETWORK_POLICY = `update kubernetes:networking.k8s.io/v1:NetworkPolicy ${childName("egress-egress-only-via-gateway", "payments")}`;

/** Pulumi's own progress for the long operations, indented under the test, so a CI log shows where time went. */
function echo(text: string): void {
    process.stdout.write(text.replace(/^/gm, "        | "));
}

function hostSteps(op: string, name: string): string[] {
    return [
        ...HOST_KINDS.map((kind) => `${op} ${ISTIO}:${kind} ${childName(name)}`),
        `${op} ${ISTIO}:ServiceEntry ${childName(`${name}---hop`)}`,
    ];
}

/** Config changes also change the inputs of the dynamic-provider host's default provider; not MeshEgress's. */
const DYNAMIC_PROVIDER_HOST = "pulumi:providers:pulumi-nodejs default";

/** The example program's config for an AMBIENT stack of these arguments and gateway. */
function ambientConfig(args: MeshEgressArgs, gateway: Record<string, unknown>) {
    return {
        hosts: { value: JSON.stringify(args.hosts) },
        outboundTrafficPolicy: { value: JSON.stringify(args.outboundTrafficPolicy) },
        antiBypass: { value: JSON.stringify(args.antiBypass) },
        dataplane: { value: "AMBIENT" },
        istio: { value: "{}" },
        routingApi: { value: "ISTIO" },
        gateway: { value: JSON.stringify(gateway) },
    };
}

describe("MeshEgress end to end (real Pulumi CLI, Kubernetes provider, kube-apiserver, istioctl)", function () {
    this.timeout(10 * 60 * 1000);
    let tools: Toolchain;
    let cluster: LocalCluster;
    let api: Kube;
    let stack: Stack;
    let workHome: string;
    let originalMesh: string;

    function newStack(name: string, options: { cluster: boolean } = { cluster: true }): Promise<Stack> {
        return localStack(tools, workHome, name, options.cluster ? { KUBECONFIG: cluster.kubeconfigPath } : {});
    }

    async function configure(
        target: Stack,
        args: Pick<MeshEgressArgs, "hosts" | "outboundTrafficPolicy" | "istio" | "routingApi">,
    ) {
        await target.setAllConfig({
            hosts: { value: JSON.stringify(args.hosts) },
            outboundTrafficPolicy: { value: JSON.stringify(args.outboundTrafficPolicy ?? {}) },
            antiBypass: { value: JSON.stringify(ANTI_BYPASS) },
            istio: { value: JSON.stringify(args.istio ?? {}) },
            routingApi: { value: args.routingApi ?? "ISTIO" },
        });
    }

    /** The steps a preview would take, as "<op> <type> <name>", without the unchanged ones. */
    async function previewSteps(hosts: unknown, routingApi: MeshEgressArgs["routingApi"] = "ISTIO"): Promise<string[]> {
        await configure(stack, { hosts: hosts as ExternalHost[], routingApi });
        const steps: string[] = [];
        await stack.preview({
            onEvent: (event) => {
                const metadata = event.resourcePreEvent?.metadata;
                if (!metadata || metadata.op === "same") return;
                const step = `${metadata.op} ${metadata.type} ${metadata.urn.split("::").pop()}`;
                if (step !== `update ${DYNAMIC_PROVIDER_HOST}`) steps.push(step);
            },
        });
        return steps.sort();
    }

    before(async () => {
        tools = toolchain();
        workHome = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-e2e-"));
        cluster = startCluster(tools);
        api = await kube(cluster.kubeconfig);
        originalMesh = (await api.configMapData("istio-system", "istio"))!.mesh;
        run(tools, "kubectl", ["--kubeconfig", cluster.kubeconfigPath, "create", "namespace", "payments"]);
        stack = await newStack("e2e");
        await configure(stack, { hosts: HOSTS });
        const result = await stack.up({ onOutput: echo });
        expect(result.summary.result).to.equal("succeeded");
    });

    after(async () => {
        removeStackConfigs();
        cluster?.stop();
        if (workHome) fs.rmSync(workHome, { recursive: true, force: true });
    });

    it("up creates every planned object with the planned spec", async () => {
        const plan = buildPlan(validateArgs("egress", { hosts: HOSTS, antiBypass: ANTI_BYPASS }));
        for (const { manifest } of plan.objects) {
            const live = await api.read(manifest);
            expect(live, `${manifest.kind} ${manifest.metadata.name}`).to.not.equal(undefined);
            expect(live.metadata.labels).to.deep.include(manifest.metadata.labels);
            if (manifest.apiVersion.includes(".istio.io/")) {
                expect(live.spec, `${manifest.kind} ${manifest.metadata.name}`).to.deep.equal(manifest.spec);
            }
        }
        const service = await api.get("v1", "Service", "istio-system", "egress-gateway");
        expect(service.spec.ports.map((p: { port: number }) => p.port)).to.deep.equal([
            15021,
            ...plan.gatewayPorts.map((p) => p.number),
        ]);
        const deployment = await api.get("apps/v1", "Deployment", "istio-system", "egress-gateway");
        expect(deployment.spec.template.metadata.annotations).to.deep.equal({ "inject.istio.io/templates": "gateway" });
        expect(deployment.spec.template.spec.containers[0].image).to.equal("auto");
    });

    it("sets REGISTRY_ONLY in the mesh config and leaves every other mesh setting as it was", async () => {
        const mesh = parse((await api.configMapData("istio-system", "istio"))!.mesh);
        expect(mesh.outboundTrafficPolicy).to.deep.equal({ mode: "REGISTRY_ONLY" });
        delete mesh.outboundTrafficPolicy;
        expect(mesh).to.deep.equal(parse(originalMesh));
    });

    it("previews no changes right after up", async () => {
        await configure(stack, { hosts: HOSTS });
        await stack.preview({ expectNoChanges: true });
    });

    it("previews no changes after a refresh", async () => {
        await stack.refresh();
        await stack.preview({ expectNoChanges: true });
    });

    it("previews a reordered host list as no change", async () => {
        expect(await previewSteps([...HOSTS].reverse())).to.deep.equal([]);
    });

    it("previews an added host as creates of that host's objects only", async () => {
        expect(await previewSteps([...HOSTS, { host: "new.example.com" }])).to.deep.equal(
            [...hostSteps("create", "egress-new-example-com"), "update mesh-egress:index:MeshEgress egress"].sort(),
        );
    });

    it("previews a host on a new port as its creates plus the gateway Service update", async () => {
        expect(await previewSteps([...HOSTS, { host: "new.example.com", port: 9090 }])).to.deep.equal(
            [
                ...hostSteps("create", "egress-new-example-com"),
                `update kubernetes:core/v1:Service ${childName("egress-gateway")}`,
                NETWORK_POLICY,
                "update mesh-egress:index:MeshEgress egress",
            ].sort(),
        );
    });

    it("previews one host's port change as updates of that host's objects and the Service only", async () => {
        const moved = HOSTS.map((h) => (h.host === "example.org" ? { ...h, port: 9090 } : h));
        expect(await previewSteps(moved)).to.deep.equal(
            [
                `update ${ISTIO}:Gateway ${childName("egress-example-org")}`,
                `update ${ISTIO}:ServiceEntry ${childName("egress-example-org")}`,
                `update ${ISTIO}:ServiceEntry ${childName("egress-example-org---hop")}`,
                `update ${ISTIO}:VirtualService ${childName("egress-example-org")}`,
                `update kubernetes:core/v1:Service ${childName("egress-gateway")}`,
                NETWORK_POLICY,
                "update mesh-egress:index:MeshEgress egress",
            ].sort(),
        );
    });

    it("previews a removed host as deletes of that host's objects (and its freed gateway port) only", async () => {
        expect(await previewSteps(HOSTS.filter((h) => h.host !== "example.org"))).to.deep.equal(
            [
                ...hostSteps("delete", "egress-example-org"),
                `update kubernetes:core/v1:Service ${childName("egress-gateway")}`,
                NETWORK_POLICY,
                "update mesh-egress:index:MeshEgress egress",
            ].sort(),
        );
    });

    it("fails the preview of bad input with the component's message and changes nothing", async () => {
        const before = await api.list("networking.istio.io/v1", "ServiceEntry", "istio-system");
        await configure(stack, { hosts: [{ host: "aliyun.com", port: 99999 }] });
        let message = "";
        try {
            await stack.preview();
        } catch (error) {
            message = String((error as Error).message);
        }
        expect(message).to.include('MeshEgress "egress" has invalid arguments:');
        expect(message).to.include("hosts[0].port: 99999 is not a port number (an integer from 1 to 65535)");
        const after = await api.list("networking.istio.io/v1", "ServiceEntry", "istio-system");
        expect(after.map((o) => o.metadata.resourceVersion)).to.deep.equal(
            before.map((o) => o.metadata.resourceVersion),
        );
        await configure(stack, { hosts: HOSTS });
    });

    it("passes istioctl analyze against the live API server with no findings but the no-pods ones", () => {
        const { stdout } = run(tools, "bash", [
            path.join(REPO, "tools", "analyze-local.sh"),
            // The CA of a credentialName origination is the Secret's ca.crt, which the analyzer does not read.
            "--suppress",
            "IST0129=DestinationRule istio-system/egress-mtls-example-com---tls",
            "--kubeconfig",
            cluster.kubeconfigPath,
            "--namespace",
            "istio-system",
            "--output",
            "json",
        ]);
        expect(JSON.parse(stdout)).to.deep.equal([]);
    });

    it("passes istioctl validate for every emitted object", () => {
        const dir = fs.mkdtempSync(path.join(workHome, "emitted-"));
        const plan = buildPlan(validateArgs("egress", { hosts: HOSTS, antiBypass: ANTI_BYPASS }));
        plan.objects.forEach(({ manifest }, index) => {
            const file = path.join(dir, `${index}-${manifest.kind}.yaml`);
            fs.writeFileSync(file, stringify(manifest));
            expect(run(tools, "istioctl", ["validate", "-f", file]).stderr).to.include(`"${file}" is valid`);
        });
    });

    it("moves between Istio releases (1.31 → 1.21 → 1.31) by updating each Istio object in place, never replacing one", async () => {
        const plans = ["1.31", "1.21"].map(
            (version) =>
                buildPlan(validateArgs("egress", { hosts: HOSTS, antiBypass: ANTI_BYPASS, istio: { version } }))
                    .objects,
        );
        const istioObjects = plans[0].map((o) => o.manifest).filter((m) => m.apiVersion.includes("istio.io"));
        // The objects whose API version differs between the two releases (AuthorizationPolicy's does not).
        const movedObjects = plans[1].filter(
            (o, i) => o.manifest.apiVersion !== plans[0][i].manifest.apiVersion,
        ).length;
        const uids = async () =>
            Promise.all(
                istioObjects.map(
                    async (manifest) =>
                        `${manifest.kind}/${manifest.metadata.name} ${(await api.read(manifest))?.metadata?.uid}`,
                ),
            );
        const before = await uids();
        try {
            for (const version of ["1.21", "1.31"]) {
                await configure(stack, { hosts: HOSTS, istio: { version } });
                const ops = new Set<string>();
                const result = await stack.up({
                    onEvent: (event) => {
                        const op = event.resourcePreEvent?.metadata.op;
                        if (op && op !== "same") ops.add(op);
                    },
                });
                expect(result.summary.result, version).to.equal("succeeded");
                expect([...ops].sort(), version).to.deep.equal(["update"]);
                expect(result.summary.resourceChanges?.update, version).to.be.at.least(movedObjects);
                expect(await uids(), version).to.deep.equal(before);
            }
        } finally {
            await configure(stack, { hosts: HOSTS });
            await stack.up({ onOutput: echo });
        }
    });

    it("moves between routing APIs (ISTIO → GATEWAY_API → ISTIO) keeping the gateway and each host's destination objects", async () => {
        const planOf = (routingApi: "ISTIO" | "GATEWAY_API") =>
            buildPlan(validateArgs("egress", { hosts: HOSTS, antiBypass: ANTI_BYPASS, routingApi })).objects;
        const [classic, gatewayApi] = [planOf("ISTIO"), planOf("GATEWAY_API")];
        const classicKeys = new Set(classic.map((o) => o.key));
        // What both routing APIs share: the workload, the ServiceEntries and DestinationRules, the policies.
        const shared = gatewayApi.filter((o) => classicKeys.has(o.key)).map((o) => o.manifest);
        const uids = async () =>
            Promise.all(shared.map(async (m) => `${m.kind}/${m.metadata.name} ${(await api.read(m))?.metadata?.uid}`));
        const before = await uids();
        try {
            await configure(stack, { hosts: HOSTS, routingApi: "GATEWAY_API" });
            expect((await stack.up({ onOutput: echo })).summary.result).to.equal("succeeded");
            // As planned: the API server adds only defaults (a backendRef's weight 1, an HTTPRoute rule's match "/").
            for (const { manifest } of gatewayApi.filter((o) => !classicKeys.has(o.key))) {
                const live = await api.read(manifest);
                expect(live, `${manifest.kind} ${manifest.metadata.name}`).to.not.equal(undefined);
                expect(driftedFields(manifest, live), `${manifest.kind} ${manifest.metadata.name}`).to.deep.equal([]);
            }
            await stack.preview({ expectNoChanges: true });
            for (const { manifest } of classic.filter((o) => !gatewayApi.some((g) => g.key === o.key))) {
                expect(await api.read(manifest), `${manifest.kind} ${manifest.metadata.name}`).to.equal(undefined);
            }
            expect(await uids()).to.deep.equal(before);
            // A host added under GATEWAY_API: its own objects only, not the shared Gateway.
            const steps = await previewSteps([...HOSTS, { host: "new.example.com" }], "GATEWAY_API");
            const GATEWAY_API = "kubernetes:gateway.networking.k8s.io/v1";
            expect(steps).to.deep.equal(
                [
                    `create ${ISTIO}:ServiceEntry ${childName("egress-new-example-com")}`,
                    `create ${ISTIO}:ServiceEntry ${childName("egress-new-example-com---hop")}`,
                    `create ${ISTIO}:DestinationRule ${childName("egress-new-example-com")}`,
                    `create ${GATEWAY_API}:ListenerSet ${childName("egress-new-example-com")}`,
                    `create ${GATEWAY_API}:HTTPRoute ${childName("egress-new-example-com")}`,
                    `create ${GATEWAY_API}:HTTPRoute ${childName("egress-new-example-com---gateway")}`,
                    "update mesh-egress:index:MeshEgress egress",
                ].sort(),
            );
        } finally {
            await configure(stack, { hosts: HOSTS });
            expect((await stack.up({ onOutput: echo })).summary.result).to.equal("succeeded");
        }
        expect(await uids()).to.deep.equal(before);
    });

    it("data plane AMBIENT: a second stack creates the waypoint and the hosts bound to it as planned, previews an added host as its own objects, then removes them", async () => {
        // Hosts of its own: the cluster check refuses a host:port the first stack already declares.
        const args: MeshEgressArgs = {
            hosts: HOSTS.filter((h) => !h.host.startsWith("*.")).map((h) => ({
                ...h,
                host: `ambient.${h.host}`,
                ...(h.mode === "TCP" ? { addresses: ["192.0.2.10"] } : {}),
            })),
            dataplane: "AMBIENT",
            antiBypass: { namespaces: ["ambient-clients"] },
            // The first stack owns the mesh config; ambient pods ignore it anyway.
            outboundTrafficPolicy: { mode: "UNMANAGED" },
        };
        // Its own namespaces, so that no object shares a name with the first stack's.
        const WAYPOINT = { name: "ambient-waypoint", namespace: "istio-egress" };
        for (const namespace of ["istio-egress", "ambient-clients"]) {
            run(tools, "kubectl", ["--kubeconfig", cluster.kubeconfigPath, "create", "namespace", namespace]);
        }
        const ambient = await newStack("ambient");
        await ambient.setAllConfig(ambientConfig(args, WAYPOINT));
        const plan = buildPlan(validateArgs("egress", { ...args, gateway: WAYPOINT }));
        try {
            expect((await ambient.up({ onOutput: echo })).summary.result).to.equal("succeeded");
            for (const { manifest } of plan.objects) {
                const live = await api.read(manifest);
                expect(live, `${manifest.kind} ${manifest.metadata.name}`).to.not.equal(undefined);
                expect(driftedFields(manifest, live), `${manifest.kind} ${manifest.metadata.name}`).to.deep.equal([]);
            }
            await ambient.preview({ expectNoChanges: true });
            // A host added: its ServiceEntry and its Host-header policy (the waypoint, its parameters and the
            // NetworkPolicy stay).
            await ambient.setAllConfig({
                hosts: { value: JSON.stringify([...args.hosts, { host: "new.example.com" }]) },
            });
            const steps: string[] = [];
            await ambient.preview({
                onEvent: (event) => {
                    const metadata = event.resourcePreEvent?.metadata;
                    const step = metadata && `${metadata.op} ${metadata.type} ${metadata.urn.split("::").pop()}`;
                    if (step && metadata.op !== "same" && step !== `update ${DYNAMIC_PROVIDER_HOST}`) steps.push(step);
                },
            });
            expect(steps.sort()).to.deep.equal([
                `create ${ISTIO}:ServiceEntry ${childName("egress-new-example-com", "istio-egress")}`,
                `create ${HOST_POLICY} ${childName("egress-new-example-com", "istio-egress")}`,
                "update mesh-egress:index:MeshEgress egress",
            ]);
        } finally {
            await ambient.destroy({ onOutput: echo });
        }
        for (const { manifest } of plan.objects) {
            expect(await api.read(manifest), `${manifest.kind} ${manifest.metadata.name}`).to.equal(undefined);
        }
    });

    it("data plane AMBIENT with gateway.shardNamespaces: hosts spread across waypoints go up as planned, a shard added moves only the hosts it takes, then all is removed", async () => {
        const args: MeshEgressArgs = {
            hosts: HOSTS.filter((h) => !h.host.startsWith("*.")).flatMap((h) =>
                ["a", "b", "c"].map((prefix) => ({
                    ...h,
                    host: `sharded-${prefix}.${h.host}`,
                    ...(h.mode === "TCP" ? { addresses: [`192.0.2.${prefix.charCodeAt(0) - 80}`] } : {}),
                })),
            ),
            dataplane: "AMBIENT",
            antiBypass: { namespaces: ["sharded-clients"] },
            outboundTrafficPolicy: { mode: "UNMANAGED" },
        };
        const namespaces = ["egress-sharded", "egress-shard-1", "egress-shard-2", "sharded-clients"];
        for (const namespace of namespaces) {
            run(tools, "kubectl", ["--kubeconfig", cluster.kubeconfigPath, "create", "namespace", namespace]);
        }
        const gateway = (shardNamespaces: string[]) => ({
            name: "sharded-waypoint",
            namespace: "egress-sharded",
            shardNamespaces,
        });
        const planOf = (shardNamespaces: string[]) =>
            buildPlan(validateArgs("egress", { ...args, gateway: gateway(shardNamespaces) }));
        const stepOf = ({ manifest }: { manifest: { apiVersion: string; kind: string; metadata: any } }) =>
            `kubernetes:${manifest.apiVersion.includes("/") ? manifest.apiVersion : `core/${manifest.apiVersion}`}:` +
            `${manifest.kind} ${childName(manifest.metadata.name, manifest.metadata.namespace)}`;
        const one = planOf(["egress-shard-1"]);
        const two = planOf(["egress-shard-1", "egress-shard-2"]);
        const sharded = await newStack("ambient-sharded");
        await sharded.setAllConfig(ambientConfig(args, gateway(["egress-shard-1"])));
        try {
            expect((await sharded.up({ onOutput: echo })).summary.result).to.equal("succeeded");
            const used = new Set(Object.values(one.hostObjects).map((h) => h.namespace));
            expect([...used].sort(), "both waypoints have hosts").to.deep.equal(["egress-shard-1", "egress-sharded"]);
            for (const { manifest } of one.objects) {
                const live = await api.read(manifest);
                expect(live, `${manifest.kind} ${manifest.metadata.namespace}/${manifest.metadata.name}`).to.not.equal(
                    undefined,
                );
                expect(driftedFields(manifest, live), `${manifest.kind} ${manifest.metadata.name}`).to.deep.equal([]);
            }
            await sharded.preview({ expectNoChanges: true });

            await sharded.setAllConfig({
                gateway: { value: JSON.stringify(gateway(["egress-shard-1", "egress-shard-2"])) },
            });
            const steps: string[] = [];
            await sharded.preview({
                onEvent: (event) => {
                    const metadata = event.resourcePreEvent?.metadata;
                    if (metadata && ["create", "delete", "replace", "create-replacement"].includes(metadata.op)) {
                        steps.push(`${metadata.op} ${metadata.type} ${metadata.urn.split("::").pop()}`);
                    }
                },
            });
            const before = new Set(one.objects.map(stepOf));
            const after = new Set(two.objects.map(stepOf));
            const moved = Object.keys(two.hostObjects).filter(
                (host) => two.hostObjects[host].namespace !== one.hostObjects[host].namespace,
            );
            expect(moved.length, "the new namespace takes some hosts").to.be.greaterThan(0);
            expect(moved.every((host) => two.hostObjects[host].namespace === "egress-shard-2")).to.equal(true);
            expect(steps.sort()).to.deep.equal(
                [
                    ...[...after].filter((step) => !before.has(step)).map((step) => `create ${step}`),
                    ...[...before].filter((step) => !after.has(step)).map((step) => `delete ${step}`),
                ].sort(),
            );
            expect(
                steps.filter((step) => step.startsWith("create") && !step.includes("/egress-shard-2/")),
            ).to.deep.equal([]);
            expect((await sharded.up({ onOutput: echo })).summary.result).to.equal("succeeded");
            for (const { manifest } of two.objects) {
                expect(await api.read(manifest), `${manifest.kind} ${manifest.metadata.name}`).to.not.equal(undefined);
                expect(
                    driftedFields(manifest, await api.read(manifest)),
                    `${manifest.kind} ${manifest.metadata.name}`,
                ).to.deep.equal([]);
            }
            await sharded.preview({ expectNoChanges: true });
        } finally {
            await sharded.destroy({ onOutput: echo });
        }
        for (const { manifest } of [...one.objects, ...two.objects]) {
            expect(await api.read(manifest), `${manifest.kind} ${manifest.metadata.name}`).to.equal(undefined);
        }
    });

    it("destroy removes every object and restores the mesh config byte for byte", async () => {
        await configure(stack, { hosts: HOSTS });
        await stack.destroy({ onOutput: echo });
        try {
            const plan = buildPlan(validateArgs("egress", { hosts: HOSTS, antiBypass: ANTI_BYPASS }));
            for (const { manifest } of plan.objects) {
                expect(await api.read(manifest), `${manifest.kind} ${manifest.metadata.name}`).to.equal(undefined);
            }
            expect((await api.configMapData("istio-system", "istio"))!.mesh).to.equal(originalMesh);
        } finally {
            // The other tests expect the stack up, whatever order they run in.
            await stack.up({ onOutput: echo });
        }
    });

    it("renders manifests that pass istioctl validate (render mode)", async () => {
        const renderDir = path.join(workHome, "rendered");
        // Render mode refuses a kubeconfig: this stack knows no cluster.
        const render = await newStack("render", { cluster: false });
        await render.setAllConfig({
            hosts: { value: JSON.stringify(HOSTS) },
            outboundTrafficPolicy: { value: JSON.stringify({ target: "ROOT_NAMESPACE_SIDECAR" }) },
            antiBypass: { value: JSON.stringify(ANTI_BYPASS) },
            renderDir: { value: renderDir },
        });
        await render.up();
        const files = fs.readdirSync(path.join(renderDir, "1-manifest"));
        const expected = buildPlan(
            validateArgs("egress", {
                hosts: HOSTS,
                antiBypass: ANTI_BYPASS,
                outboundTrafficPolicy: { target: "ROOT_NAMESPACE_SIDECAR" },
            }),
        ).objects;
        expect(files.length).to.equal(expected.length);
        for (const file of files) {
            const rendered = path.join(renderDir, "1-manifest", file);
            expect(run(tools, "istioctl", ["validate", "-f", rendered]).stderr).to.include(`"${rendered}" is valid`);
        }
        await render.destroy();
    });
});
