// The seed's checks on a real data path, for every mode (tools/lab.sh; root only): a real istiod (pilot-discovery) on
// the local kube-apiserver, pilot-agent + upstream Envoy as two clients' sidecars (istio-iptables redirection) and as
// the egress gateway, external servers (HTTP, TLS with certificates from a lab external CA, mutual TLS, a TCP echo
// on a CIDR address) and a DNS server, each in a network namespace of its own; `pulumi up` of one host per mode with
// the real CLI. The gateway hop is the component's default, Istio mutual TLS, with workload certificates from the
// lab's mesh CA. The checks are grouped by the stack's state (before up, up, destroyed); each group's
// hook brings the stack into its state, so every test can run on its own.
import { Stack } from "@pulumi/pulumi/automation";
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ExternalHost, RoutingApi } from "../../sdk";
import { parseAccessLogLine } from "../../sdk/discover/accessLog";
import { AuditReport } from "../../sdk/discover/report";
import { Kube, kube } from "./support/kube";
import {
    ExtRequest,
    LAB,
    echo,
    eventually,
    extRequests as allExtRequests,
    labDown,
    note,
    sleep,
    startLab,
} from "./support/lab";
import { once } from "./support/once";
import { scratchStack } from "./support/scratchProject";
import { localStack, removeStackConfigs } from "./support/stack";
import { REPO, Toolchain, run } from "./support/toolchain";

const DISCOVER = path.join(REPO, "bin", "sdk", "discover", "cli.js");
type Deployment = "seed" | "seed-gateway-api" | "audit" | "proposal";
/** An HTTP wildcard whose names the gateway resolves one by one (two of them resolve to two lab servers). */
const WEB_WILDCARD = "*.web.lab.example";
/**
 * One host per mode; `from` on one of them, so the second client's identity is denied there at the gateway. A wildcard
 * resolved per name cannot be routed with Gateway API routes (refused), so that routing API has none.
 */
function labHosts(lab: Record<string, string>, routingApi: RoutingApi = "ISTIO"): ExternalHost[] {
    return [
        { host: "aliyun.com" },
        { host: "pay.lab.example", from: [{ namespace: "default", serviceAccount: "sleep" }] },
        { host: "tls.lab.example", mode: "TLS_PASSTHROUGH" },
        { host: "origin.lab.example", mode: "TLS_ORIGINATION", tls: { caCertificates: lab.EXT_CA } },
        { host: "mtls.lab.example", mode: "MUTUAL_TLS_ORIGINATION", tls: { credentialName: "client-credential" } },
        { host: "*.wild.lab.example", mode: "TLS_PASSTHROUGH", upstreamHost: "www.wild.lab.example" },
        { host: "db.lab.example", mode: "TCP", port: 5432, addresses: [lab.TCP_CIDR], endpoints: [lab.TCP_IP] },
        ...(routingApi === "ISTIO" ? [{ host: WEB_WILDCARD }] : []),
    ];
}
/** The component's gateway (component "egress": gateway name "egress-gateway" in istio-system). */
const GATEWAY = {
    namespace: "istio-system",
    deployment: "egress-gateway",
    service: "egress-gateway.istio-system.svc.cluster.local",
    /** The hop alias of a host: the cluster through which its clients reach the gateway. */
    hop: (slug: string) => `egress-${slug}.gateway.mesh-egress.internal`,
};

interface Response {
    status: number;
    headers: Record<string, string>;
    raw: string;
}

/** `curl -I <url>` from a lab network namespace, as root (the sidecar's iptables redirect root's traffic). */
function curlHead(netns: string, url: string, ...options: string[]): Response {
    const args = ["netns", "exec", netns, "curl", "-sS", "-I", "--max-time", "10", "--noproxy", "*", ...options, url];
    const result = spawnSync("ip", args, { encoding: "utf8" });
    const raw = `${result.stdout}${result.stderr}`;
    const lines = result.stdout.split(/\r?\n/);
    const status = Number(/^HTTP\/[\d.]+ (\d{3})/.exec(lines[0] ?? "")?.[1] ?? 0);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
        const colon = line.indexOf(":");
        if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    return { status, headers, raw };
}

/** A TCP exchange from a lab network namespace: sends "ping", returns what came back ("" when nothing did). */
function tcpExchange(netns: string, address: string, port: number): string {
    const script =
        "import socket,sys\ntry:\n s=socket.create_connection((sys.argv[1],int(sys.argv[2])),5); s.settimeout(5); " +
        "s.sendall(b'ping'); print(s.recv(4096).decode(), end='')\nexcept OSError as e: print('', end='')";
    const result = spawnSync("ip", ["netns", "exec", netns, "python3", "-c", script, address, String(port)], {
        encoding: "utf8",
    });
    return result.stdout;
}

/** What the TLS server logs for a HEAD request (peer, SNI and Host filled in by each test). */
const TLS_SEEN = { proto: "tls", method: "HEAD", clientCert: null };

describe("the seed's checks on a real data path (root lab: istiod, pilot-agent + upstream Envoy in network namespaces)", function () {
    this.timeout(10 * 60 * 1000);
    let tools: Toolchain;
    let workHome: string;
    let labDir: string;
    let lab: Record<string, string>;
    let api: Kube;
    let stack: Stack | undefined;
    /** Which host list is up, if any: the seed scenario's, the audit's, or the one `discover` proposed. */
    let deployed: Deployment | undefined;
    const upResults: Partial<Record<Deployment, string>> = {};
    /** What was up before each deployment's `pulumi up`, if anything. */
    const previousDeployment: Partial<Record<Deployment, Deployment>> = {};
    const synced: Partial<Record<Deployment, boolean>> = {};
    let gatewayStarted = false;
    let destroyResult = "";
    let meshBefore: string;

    const extRequests = (): ExtRequest[] => allExtRequests(lab);

    /** A proxy's Envoy admin endpoint, from inside its network namespace. */
    const envoyAdmin = (netns: string, urlPath: string): string =>
        spawnSync(
            "ip",
            ["netns", "exec", netns, "curl", "-sS", "--max-time", "5", `http://127.0.0.1:15000${urlPath}`],
            { encoding: "utf8" },
        ).stdout ?? "";

    /** Everything curl and the external servers saw for one request, with the servers' new records. */
    function request(netns: string, url: string, ...options: string[]): { response: Response; seen: ExtRequest[] } {
        const before = extRequests().length;
        const response = curlHead(netns, url, ...options);
        return { response, seen: extRequests().slice(before) };
    }

    /**
     * `pulumi up` of a host list (unless it is up already), one gateway pod in the lab, and then — xDS is
     * asynchronous — until `ready` says the proxies hold the new config (or 60 s pass).
     */
    async function deploy(
        name: Deployment,
        hosts: ExternalHost[],
        mode: "REGISTRY_ONLY" | "AUDIT",
        ready: () => boolean,
        routingApi: RoutingApi = "ISTIO",
    ): Promise<void> {
        if (deployed === name) return;
        await stack!.setAllConfig({
            hosts: { value: JSON.stringify(hosts) },
            outboundTrafficPolicy: { value: JSON.stringify({ mode }) },
            routingApi: { value: routingApi },
        });
        const result = await stack!.up({ onOutput: echo });
        if (deployed) previousDeployment[name] = deployed;
        deployed = name;
        upResults[name] = result.summary.result;
        note(`pulumi up (${name}): ${result.summary.result}`);
        if (!gatewayStarted) run(tools, "bash", [LAB, "gateway", labDir, GATEWAY.namespace, GATEWAY.deployment]);
        gatewayStarted = true;
        const upDone = Date.now();
        synced[name] = await eventually(60, () => (ready() ? true : undefined));
        note(
            `proxies ${synced[name] ? "in sync" : "not in sync"} ${((Date.now() - upDone) / 1000).toFixed(1)} s after up`,
        );
        if (!synced[name]) {
            // Kept for the failure's diagnosis: the lab's directory goes with the lab.
            for (const [proxy, netns] of Object.entries({ gateway: lab.GATEWAY_NETNS, client: lab.CLIENT_NETNS })) {
                const evidence = path.join(
                    os.tmpdir(),
                    `mesh-egress-lab-unsynced-${name}-${proxy}-${process.pid}.json`,
                );
                fs.writeFileSync(evidence, envoyAdmin(netns, "/config_dump"));
                note(`the ${proxy}'s config dump, after 60 s without the routes: ${evidence}`);
            }
        }
    }

    /** Whether the client reaches `host` on `port` through the gateway, and the gateway reaches it at `upstream`. */
    function routedViaGateway(host: string, port: number, upstream: string): boolean {
        const slug = host.replace(/\./g, "-");
        return (
            envoyAdmin(lab.CLIENT_NETNS, "/clusters").includes(
                `outbound|${port}||${GATEWAY.hop(slug)}::${lab.GATEWAY_IP}:${port}::`,
            ) && envoyAdmin(lab.GATEWAY_NETNS, "/clusters").includes(`outbound|${port}||${host}::${upstream}:${port}::`)
        );
    }

    /** A proxy's config dump of one kind of resource, or undefined while the admin endpoint answers no JSON. */
    function configDump(netns: string, resource: string): { configs?: any[] } | undefined {
        try {
            return JSON.parse(envoyAdmin(netns, `/config_dump?resource=${resource}`));
        } catch {
            return undefined;
        }
    }

    /**
     * The virtual hosts a proxy serves requests with: those of the route configs its listeners use, once it has no
     * listener warming up or rejected (until then, a listener it still serves with may use a route config that
     * istiod no longer sends, whatever the dump's other route configs hold).
     */
    function servedVirtualHosts(netns: string): { domains: string[]; routes?: any[] }[] | undefined {
        const listeners = configDump(netns, "dynamic_listeners")?.configs;
        const routeConfigs = configDump(netns, "dynamic_route_configs")?.configs;
        if (!listeners || !routeConfigs) return undefined;
        if (listeners.some((listener) => listener.warming_state || listener.error_state)) return undefined;
        const used = new Set(
            listeners
                .flatMap((listener) => {
                    const served = listener.active_state?.listener ?? {};
                    return [...(served.filter_chains ?? []), served.default_filter_chain ?? {}];
                })
                .flatMap((chain) => chain.filters ?? [])
                .map((filter) => filter.typed_config?.rds?.route_config_name)
                .filter((name) => name !== undefined),
        );
        return routeConfigs
            .filter((config) => used.has(config.route_config?.name))
            .flatMap((config) => config.route_config.virtual_hosts ?? []);
    }

    /**
     * Whether a proxy serves every one of `hosts` with routes from the objects of `routingApi` only: istiod
     * translates Gateway API routes one by one, so one translated route says nothing of the others.
     */
    function routesFrom(netns: string, routingApi: RoutingApi, hosts: string[]): boolean {
        const virtualHosts = servedVirtualHosts(netns);
        if (!virtualHosts) return false;
        return hosts.every((host) => {
            const sources = virtualHosts
                .filter((virtualHost) => virtualHost.domains.includes(host))
                .flatMap((virtualHost) => virtualHost.routes ?? [])
                .map((route) => route.metadata?.filter_metadata?.istio?.config ?? "");
            // A route names the VirtualService it comes from: an object's Kubernetes name has no "~", the names
            // istiod gives its translations of Gateway API routes do (e.g. "istio-system~80~aliyun.com").
            const fromRoutingApi = (source: string) =>
                source !== "" && /\/virtual-service\/[^/]*~[^/]*$/.test(source) === (routingApi === "GATEWAY_API");
            return sources.length > 0 && sources.every(fromRoutingApi);
        });
    }

    /**
     * Whether the proxy has closed every connection of the filter chains and listeners it replaced: such a connection,
     * opened before a switch of routing API, is served by its old filter chain, whose route config istiod no longer
     * sends (the lab measured a 404 per client connection until the drain closed it).
     */
    function nothingDraining(netns: string): boolean {
        const gauges = envoyAdmin(netns, "/stats?filter=^listener_manager\\.total_(filter_chains|listeners)_draining$")
            .trim()
            .split("\n")
            .filter((line) => line !== "");
        return gauges.length === 2 && gauges.every((line) => line.endsWith(": 0"));
    }

    /** The seed's hosts whose app speaks HTTP (routed by Host header, so each has a virtual host). */
    const httpHosts = (routingApi: RoutingApi = "ISTIO"): string[] =>
        labHosts(lab, routingApi)
            .filter((host) => ["HTTP", "TLS_ORIGINATION", "MUTUAL_TLS_ORIGINATION", undefined].includes(host.mode))
            .map((host) => host.host);

    /** The seed scenario: one host per mode, in either routing API. */
    const ensureSeed = (routingApi: RoutingApi = "ISTIO") =>
        deploy(
            routingApi === "ISTIO" ? "seed" : "seed-gateway-api",
            labHosts(lab, routingApi),
            "REGISTRY_ONLY",
            () =>
                routedViaGateway("aliyun.com", 80, lab.EXT_IP) &&
                routedViaGateway("db.lab.example", 5432, lab.TCP_IP) &&
                [lab.CLIENT_NETNS, lab.GATEWAY_NETNS].every((netns) =>
                    routesFrom(netns, routingApi, httpHosts(routingApi)),
                ) &&
                nothingDraining(lab.GATEWAY_NETNS) &&
                envoyAdmin(lab.CLIENT_NETNS, "/config_dump?resource=dynamic_route_configs").includes('"block_all"') &&
                // The gateway, when already running, gets the credentialName Secret (certificate and CA) over SDS
                // after the routes.
                ["kubernetes://client-credential", "kubernetes://client-credential-cacert"].every((secret) =>
                    envoyAdmin(lab.GATEWAY_NETNS, "/config_dump?resource=dynamic_active_secrets").includes(
                        `"${secret}"`,
                    ),
                ),
            routingApi,
        );

    async function ensureDestroyed(): Promise<void> {
        if (!deployed) return;
        const result = await stack!.destroy();
        deployed = undefined;
        destroyResult = result.summary.result;
    }

    before(async function () {
        ({ tools, workHome, labDir, lab } = startLab(this, "sidecar"));
        note(`client ${lab.CLIENT_IP}, fake aliyun.com ${lab.EXT_IP}`);
        api = await kube(fs.readFileSync(lab.KUBECONFIG, "utf8"));
        meshBefore = (await api.configMapData("istio-system", "istio"))!.mesh;
        stack = await localStack(tools, workHome, "lab", { KUBECONFIG: lab.KUBECONFIG });
        // The gateway is granted to a team (see "two tenants on one gateway").
        await stack.setConfig("teams", { value: JSON.stringify([{ name: "intruders", namespaces: ["default"] }]) });
    });

    after(async function () {
        if (deployed && stack) {
            await stack.destroy().catch((e: Error) => note(`pulumi destroy failed: ${e.message}`));
        }
        removeStackConfigs();
        if (labDir) {
            labDown(labDir);
        }
        if (workHome) fs.rmSync(workHome, { recursive: true, force: true });
    });

    describe("before pulumi up", () => {
        before(ensureDestroyed);

        it("the client reaches aliyun.com and undeclared.example directly from its own address (ALLOW_ANY, the seed's step 1)", () => {
            for (const url of ["http://aliyun.com", "http://undeclared.example"]) {
                const { response, seen } = request(lab.CLIENT_NETNS, url);
                expect(response.status, response.raw).to.equal(301);
                expect(response.headers["x-lab-answer"], response.raw).to.equal(lab.EXT_NONCE);
                expect(seen.map((r) => r.peer)).to.deep.equal([lab.CLIENT_IP]);
            }
        });
    });

    describe("audit before deny: AUDIT, then mesh-egress discover, then REGISTRY_ONLY with what it proposes", () => {
        const CLIENT = { namespace: "default", serviceAccount: "sleep" };
        const AUDITED: ExternalHost[] = [{ host: "aliyun.com" }];
        const undeclaredHttp = () => request(lab.CLIENT_NETNS, "http://undeclared.example/");
        const undeclaredTls = () => request(lab.CLIENT_NETNS, "https://tls.lab.example/", "--cacert", lab.EXT_CA);
        const clientLog = () => fs.readFileSync(lab.CLIENT_LOG, "utf8");

        const ensureAudit = () =>
            deploy(
                "audit",
                AUDITED,
                "AUDIT",
                () =>
                    routedViaGateway("aliyun.com", 80, lab.EXT_IP) &&
                    envoyAdmin(lab.CLIENT_NETNS, "/config_dump?resource=dynamic_listeners").includes(
                        "xds.cluster_name",
                    ),
            );

        /** The client's calls while the audit is on: two undeclared hosts and a declared one. */
        const auditedCalls = once(async () => {
            await ensureAudit();
            return {
                http: undeclaredHttp(),
                tls: undeclaredTls(),
                declared: request(lab.CLIENT_NETNS, "http://aliyun.com/"),
            };
        });

        /** `mesh-egress discover` on the client sidecar's log, as a user runs it (JSON output). */
        function discover(): AuditReport {
            const args = ["discover", "--file", lab.CLIENT_LOG, "--source", "default/sleep", "--output", "json"];
            const result = spawnSync(process.execPath, [DISCOVER, ...args], { encoding: "utf8" });
            expect(result.status, result.stderr).to.equal(0);
            return JSON.parse(result.stdout) as AuditReport;
        }

        /** What discover reports once both undeclared calls are in the log (Envoy flushes it every second). */
        const discovered = once(async () => {
            await auditedCalls();
            const report = await eventually(15, () => {
                const seen = discover();
                return seen.destinations.length >= 2 ? seen : undefined;
            });
            return report ?? discover();
        });

        const ensureProposal = async () => {
            const { proposal } = await discovered();
            await deploy(
                "proposal",
                [...AUDITED, ...proposal],
                "REGISTRY_ONLY",
                () =>
                    routedViaGateway("undeclared.example", 80, lab.EXT_IP) &&
                    routedViaGateway("tls.lab.example", 443, lab.EXT_IP),
            );
        };

        describe("with outboundTrafficPolicy.mode AUDIT", () => {
            before(ensureAudit);

            it("pulumi up succeeds and the client's sidecar receives the audit's access log", () => {
                expect(upResults.audit).to.equal("succeeded");
                expect(synced.audit, "the client's Envoy did not get the audit's access log within 60 s").to.equal(
                    true,
                );
            });

            it("the client's calls to an undeclared HTTP host and an undeclared TLS host succeed, straight from its own address", async () => {
                const { http, tls } = await auditedCalls();
                expect(http.response.status, http.response.raw).to.equal(301);
                expect(http.seen).to.deep.equal([
                    { peer: lab.CLIENT_IP, host: "undeclared.example", method: "HEAD", path: "/" },
                ]);
                expect(tls.response.status, tls.response.raw).to.equal(200);
                expect(tls.seen).to.deep.equal([
                    { ...TLS_SEEN, peer: lab.CLIENT_IP, sni: "tls.lab.example", host: "tls.lab.example" },
                ]);
            });

            it("the declared host still goes through the gateway, and the client's sidecar logs only the undeclared calls", async () => {
                const { declared } = await auditedCalls();
                expect(declared.seen.map((r) => r.peer)).to.deep.equal([lab.GATEWAY_IP]);
                await discovered();
                const logged = clientLog()
                    .split("\n")
                    .map(parseAccessLogLine)
                    .filter((record) => record !== undefined);
                note(JSON.stringify(logged.map((r) => [r.authority || r.requestedServerName, r.upstreamCluster])));
                expect(logged.filter((r) => r.authority === "aliyun.com")).to.deep.equal([]);
                expect(logged.filter((r) => r.upstreamCluster !== "PassthroughCluster")).to.deep.equal([]);
                expect(logged.length).to.be.at.least(2);
            });

            it("mesh-egress discover lists both calls with the client's namespace and ServiceAccount, and proposes them", async () => {
                const report = await discovered();
                note(JSON.stringify(report.proposal));
                const summary = report.destinations.map(({ destination, port, protocol, outcome, sources }) => ({
                    destination,
                    port,
                    protocol,
                    outcome,
                    sources,
                }));
                expect(summary).to.have.deep.members([
                    {
                        destination: "undeclared.example",
                        port: 80,
                        protocol: "HTTP",
                        outcome: "allowed",
                        sources: [CLIENT],
                    },
                    {
                        destination: "tls.lab.example",
                        port: 443,
                        protocol: "TLS",
                        outcome: "allowed",
                        sources: [CLIENT],
                    },
                ]);
                expect(report.proposal).to.have.deep.members([
                    { host: "undeclared.example", from: [CLIENT] },
                    { host: "tls.lab.example", mode: "TLS_PASSTHROUGH", from: [CLIENT] },
                ]);
            });
        });

        describe("after switching to REGISTRY_ONLY with the proposed hosts", () => {
            before(ensureProposal);

            it("pulumi up succeeds and both Envoys route the proposed hosts through the gateway", () => {
                expect(upResults.proposal).to.equal("succeeded");
                expect(synced.proposal, "the proposed hosts' routes did not arrive within 60 s").to.equal(true);
            });

            it("the same calls succeed, now from the gateway's address", () => {
                const http = undeclaredHttp();
                expect(http.response.status, http.response.raw).to.equal(301);
                expect(http.seen.map((r) => r.peer)).to.deep.equal([lab.GATEWAY_IP]);
                const tls = undeclaredTls();
                expect(tls.response.status, tls.response.raw).to.equal(200);
                expect(tls.seen).to.deep.equal([
                    { ...TLS_SEEN, peer: lab.GATEWAY_IP, sni: "tls.lab.example", host: "tls.lab.example" },
                ]);
            });

            it("the proposal's from holds: the second client (ServiceAccount intruder) is denied the HTTP host at the gateway", () => {
                const denied = request(lab.CLIENT2_NETNS, "http://undeclared.example/");
                expect(denied.response.status, denied.response.raw).to.equal(403);
                expect(denied.seen).to.deep.equal([]);
            });

            it("the audit's access log is gone: the client's sidecar logs no more calls", async () => {
                const before = clientLog().length;
                undeclaredHttp();
                await sleep(3000);
                expect(clientLog().slice(before)).to.not.include("undeclared.example");
            });
        });
    });

    /** The seed's checks, the same for both routing APIs: only the objects that route differ. */
    const seedChecks = (routingApi: RoutingApi) =>
        describe(`after pulumi up of the seed scenario (routingApi ${routingApi})`, () => {
            before(() => ensureSeed(routingApi));

            const name = routingApi === "ISTIO" ? "seed" : "seed-gateway-api";

            it("pulumi up succeeds, one pod of the gateway Deployment runs, and both Envoys receive the routes", () => {
                expect(upResults[name]).to.equal("succeeded");
                expect(synced[name], "client and gateway Envoys did not receive the routes within 60 s").to.equal(true);
            });

            it("curl -I http://aliyun.com from the client returns the fake aliyun.com's answer", () => {
                const { response } = request(lab.CLIENT_NETNS, "http://aliyun.com");
                note(
                    `${response.status} location: ${response.headers.location} x-lab-answer: ${response.headers["x-lab-answer"]} server: ${response.headers.server}`,
                );
                expect(response.status, response.raw).to.equal(301);
                expect(response.headers["x-lab-answer"], response.raw).to.equal(lab.EXT_NONCE);
                expect(response.headers.location).to.equal("https://aliyun.com/");
            });

            it("the fake aliyun.com sees the request come from the egress gateway's address", () => {
                const { response, seen } = request(lab.CLIENT_NETNS, "http://aliyun.com");
                note(
                    `fake aliyun.com saw: ${JSON.stringify(seen)} (gateway ${lab.GATEWAY_IP}, client ${lab.CLIENT_IP})`,
                );
                expect(response.status, response.raw).to.equal(301);
                expect(seen).to.deep.equal([{ peer: lab.GATEWAY_IP, host: "aliyun.com", method: "HEAD", path: "/" }]);
            });

            it("the gateway's access log shows the request to aliyun.com (the seed's last step)", async () => {
                request(lab.CLIENT_NETNS, "http://aliyun.com");
                // Envoy flushes access logs every second.
                const line = await eventually(10, () =>
                    fs
                        .readFileSync(lab.GATEWAY_LOG, "utf8")
                        .split("\n")
                        .find(
                            (l) =>
                                l.includes('"HEAD / HTTP/1.1" 301') &&
                                l.includes('"aliyun.com"') &&
                                l.includes("outbound|80||aliyun.com"),
                        ),
                );
                expect(line, "no access log line for HEAD aliyun.com in the gateway's log").to.be.a("string");
                note(line!);
                // Upstream: the fake server's address; downstream: the client (the hop's SNI is the host).
                expect(line).to.include(`"${lab.EXT_IP}:80"`);
                expect(line).to.match(new RegExp(` ${lab.CLIENT_IP.replace(/\./g, "\\.")}:\\d+ aliyun\\.com `));
            });

            it("the gateway's port 80 takes only mutual TLS with a mesh certificate (the hop is ISTIO_MUTUAL)", () => {
                // From outside the mesh (the fake server's namespace), straight to the gateway's address.
                const plain = curlHead(lab.EXT_NETNS, `http://${lab.GATEWAY_IP}:80/`, "-H", "Host: aliyun.com");
                expect(plain.status, plain.raw).to.equal(0);
                // The gateway's certificate names a SPIFFE identity, not aliyun.com: -k, so only the client side can fail.
                const tls = ["-k", "--resolve", `aliyun.com:80:${lab.GATEWAY_IP}`];
                const noCertificate = curlHead(lab.EXT_NETNS, "https://aliyun.com:80/", ...tls);
                expect(noCertificate.status, noCertificate.raw).to.equal(0);
                // The control: the same request with the client workload's certificate (SNI aliyun.com) is routed.
                const certs = lab.CLIENT_CERTS;
                const mesh = curlHead(
                    lab.EXT_NETNS,
                    "https://aliyun.com:80/",
                    ...tls,
                    "--cert",
                    `${certs}/cert-chain.pem`,
                    "--key",
                    `${certs}/key.pem`,
                );
                expect(mesh.status, mesh.raw).to.equal(301);
                expect(mesh.headers["x-lab-answer"], mesh.raw).to.equal(lab.EXT_NONCE);
            });

            it("curl -I http://undeclared.example from the client returns 502, and nothing reaches the server", () => {
                const { response, seen } = request(lab.CLIENT_NETNS, "http://undeclared.example");
                note(
                    `${response.status} server: ${response.headers.server}; fake server saw ${seen.length} request(s)`,
                );
                expect(response.status, response.raw).to.equal(502);
                expect(response.headers["x-lab-answer"]).to.equal(undefined);
                expect(seen).to.deep.equal([]);
            });

            /** The gateway's access log has a line naming the cluster (Envoy flushes every second). */
            async function accessLogged(cluster: string): Promise<string | undefined> {
                return eventually(10, () =>
                    fs
                        .readFileSync(lab.GATEWAY_LOG, "utf8")
                        .split("\n")
                        .find((l) => l.includes(cluster)),
                );
            }

            it("TLS passthrough: curl https://tls.lab.example keeps the app's SNI and certificate check end to end, from the gateway's address", async () => {
                const { response, seen } = request(
                    lab.CLIENT_NETNS,
                    "https://tls.lab.example/",
                    "--cacert",
                    lab.EXT_CA,
                );
                expect(response.status, response.raw).to.equal(200);
                expect(response.headers["x-lab-answer"]).to.equal(lab.EXT_NONCE);
                expect(seen).to.deep.include({
                    ...TLS_SEEN,
                    peer: lab.GATEWAY_IP,
                    sni: "tls.lab.example",
                    host: "tls.lab.example",
                });
                expect(await accessLogged("outbound|443||tls.lab.example"), "gateway access log").to.be.a("string");
            });

            it("TLS origination: curl http://origin.lab.example arrives as TLS from the gateway, SNI origin.lab.example", async () => {
                const { response, seen } = request(lab.CLIENT_NETNS, "http://origin.lab.example/");
                expect(response.status, response.raw).to.equal(200);
                expect(seen).to.deep.equal([
                    { ...TLS_SEEN, peer: lab.GATEWAY_IP, sni: "origin.lab.example", host: "origin.lab.example" },
                ]);
                expect(
                    await accessLogged("egress-origin-lab-example.upstream.mesh-egress.internal"),
                    "gateway access log",
                ).to.be.a("string");
            });

            it("TLS origination: the app calling https://origin.lab.example itself is blocked, and nothing reaches the server", () => {
                const { response, seen } = request(
                    lab.CLIENT_NETNS,
                    "https://origin.lab.example/",
                    "--cacert",
                    lab.EXT_CA,
                );
                expect(response.status, response.raw).to.equal(0);
                expect(seen).to.deep.equal([]);
            });

            it("mutual TLS origination: curl http://mtls.lab.example arrives with the client certificate of the credentialName Secret", async () => {
                const { response, seen } = request(lab.CLIENT_NETNS, "http://mtls.lab.example/");
                expect(response.status, response.raw).to.equal(200);
                expect(seen).to.deep.equal([
                    {
                        ...TLS_SEEN,
                        peer: lab.GATEWAY_IP,
                        sni: "mtls.lab.example",
                        host: "mtls.lab.example",
                        clientCert: "egress-gateway-client",
                    },
                ]);
                expect(
                    await accessLogged("egress-mtls-lab-example.upstream.mesh-egress.internal"),
                    "gateway access log",
                ).to.be.a("string");
            });

            if (routingApi === "ISTIO") {
                it("wildcard resolved at the gateway: http://a.web.lab.example and http://b.web.lab.example reach their two servers, from the gateway's address", async () => {
                    const names = ["a.web.lab.example", lab.WILD2_NAME];
                    const answers = names.map((name) => request(lab.CLIENT_NETNS, `http://${name}/`));
                    expect(
                        answers.map(({ response }) => [response.status, response.headers["x-lab-server"]]),
                    ).to.deep.equal([
                        [301, lab.EXT_IP],
                        [301, lab.EXT2_IP],
                    ]);
                    expect(answers.flatMap(({ seen }) => seen)).to.deep.equal(
                        names.map((host) => ({ peer: lab.GATEWAY_IP, host, method: "HEAD", path: "/" })),
                    );
                    expect(
                        await accessLogged("egress-star---web-lab-example.upstream.mesh-egress.internal"),
                        "gateway access log",
                    ).to.be.a("string");
                });

                it("wildcard resolved at the gateway: a name outside it (http://web.lab.example) is blocked, and nothing reaches a server", () => {
                    const { response, seen } = request(lab.CLIENT_NETNS, "http://web.lab.example/");
                    expect(response.status, response.raw).to.equal(502);
                    expect(seen).to.deep.equal([]);
                });

                it("wildcard resolved at the gateway: a Host naming another port on a name under it is not served", () => {
                    const { response, seen } = request(
                        lab.CLIENT_NETNS,
                        "http://a.web.lab.example/",
                        "-H",
                        "Host: a.web.lab.example:443",
                    );
                    expect(response.status, response.raw).to.not.equal(200);
                    expect(seen.filter((record) => record.port === 443 || record.proto === "tls")).to.deep.equal([]);
                });
            }

            it("wildcard: curl https://en.wild.lab.example reaches the one upstream with the app's SNI, from the gateway's address", async () => {
                const { response, seen } = request(
                    lab.CLIENT_NETNS,
                    "https://en.wild.lab.example/",
                    "--cacert",
                    lab.EXT_CA,
                );
                expect(response.status, response.raw).to.equal(200);
                expect(seen).to.deep.equal([
                    { ...TLS_SEEN, peer: lab.GATEWAY_IP, sni: "en.wild.lab.example", host: "en.wild.lab.example" },
                ]);
                expect(
                    await accessLogged("egress-star---wild-lab-example.upstream.mesh-egress.internal"),
                    "gateway access log",
                ).to.be.a("string");
            });

            it("TCP: bytes to the CIDR's address on port 5432 echo back, and the server sees the gateway's address", async () => {
                const before = extRequests().length;
                expect(tcpExchange(lab.CLIENT_NETNS, lab.TCP_IP, 5432)).to.equal(`${lab.EXT_NONCE} ping`);
                expect(extRequests().slice(before)).to.deep.equal([{ proto: "tcp", peer: lab.GATEWAY_IP, port: 5432 }]);
                expect(await accessLogged("outbound|5432||db.lab.example"), "gateway access log").to.be.a("string");
            });

            it("TCP: the same address on another port is blocked, and nothing reaches the server", () => {
                const before = extRequests().length;
                expect(tcpExchange(lab.CLIENT_NETNS, lab.TCP_IP, 5433)).to.equal("");
                expect(extRequests().slice(before)).to.deep.equal([]);
            });

            it("from: the second client (ServiceAccount intruder) is denied pay.lab.example at the gateway; the allowed one is served", () => {
                const denied = request(lab.CLIENT2_NETNS, "http://pay.lab.example/");
                expect(denied.response.status, denied.response.raw).to.equal(403);
                expect(denied.seen).to.deep.equal([]);
                const allowed = request(lab.CLIENT_NETNS, "http://pay.lab.example/");
                expect(allowed.response.status, allowed.response.raw).to.equal(301);
                expect(allowed.seen).to.deep.equal([
                    { peer: lab.GATEWAY_IP, host: "pay.lab.example", method: "HEAD", path: "/" },
                ]);
            });

            it("from: the second client may still reach a host without rules (aliyun.com)", () => {
                const { response, seen } = request(lab.CLIENT2_NETNS, "http://aliyun.com/");
                expect(response.status, response.raw).to.equal(301);
                expect(seen.map((r) => r.peer)).to.deep.equal([lab.GATEWAY_IP]);
            });

            it("an undeclared TLS host (https://undeclared-tls.example) is blocked, and nothing reaches any server", () => {
                const { response, seen } = request(lab.CLIENT_NETNS, "https://undeclared-tls.example/", "-k");
                expect(response.status, response.raw).to.equal(0);
                expect(seen).to.deep.equal([]);
            });

            it("raw TCP to a live server's port nobody declared for it is blocked, and nothing reaches the server", () => {
                const before = extRequests().length;
                expect(tcpExchange(lab.CLIENT_NETNS, lab.EXT_IP, 443)).to.equal("");
                expect(extRequests().slice(before)).to.deep.equal([]);
            });

            if (routingApi === "GATEWAY_API") {
                it("after the switch, an update of the Gateway API objects (one more host) is rejected by neither Envoy", async () => {
                    const rejections = (netns: string) =>
                        envoyAdmin(netns, "/stats?filter=update_rejected$")
                            .split("\n")
                            .filter((line) => line.trim() && !line.endsWith(": 0"));
                    for (const netns of [lab.CLIENT_NETNS, lab.GATEWAY_NETNS]) {
                        spawnSync("ip", [
                            "netns",
                            "exec",
                            netns,
                            "curl",
                            "-sS",
                            "-X",
                            "POST",
                            "http://127.0.0.1:15000/reset_counters",
                        ]);
                        expect(rejections(netns), `${netns} after reset_counters`).to.deep.equal([]);
                    }
                    const withExtra = [...labHosts(lab, routingApi), { host: "extra.lab.example" }];
                    try {
                        await stack!.setAllConfig({ hosts: { value: JSON.stringify(withExtra) } });
                        expect((await stack!.up({ onOutput: echo })).summary.result).to.equal("succeeded");
                        const arrived = await eventually(60, () =>
                            envoyAdmin(lab.GATEWAY_NETNS, "/clusters").includes("outbound|80||extra.lab.example::")
                                ? true
                                : undefined,
                        );
                        expect(arrived, "the gateway did not receive the new host within 60 s").to.equal(true);
                        for (const netns of [lab.CLIENT_NETNS, lab.GATEWAY_NETNS]) {
                            expect(rejections(netns), netns).to.deep.equal([]);
                        }
                    } finally {
                        await stack!.setAllConfig({ hosts: { value: JSON.stringify(labHosts(lab, routingApi)) } });
                        await stack!.up({ onOutput: echo });
                    }
                });
            }

            it("neither Envoy holds a rejected configuration, and only a switch of routing API was ever rejected", () => {
                // Switching from the Istio flavour, Pulumi creates the new routing objects before it deletes the old
                // ones: for those seconds the gateway has two servers for each host, and its Envoy rejects that
                // listener update (keeping the previous listeners, which still route), until the deletes.
                const switched = routingApi === "GATEWAY_API" && previousDeployment[name] === "seed";
                for (const netns of [lab.CLIENT_NETNS, lab.GATEWAY_NETNS]) {
                    const counters = envoyAdmin(netns, "/stats?filter=update_(rejected|success)$");
                    const rejected = counters.split("\n").filter((line) => line.includes("update_rejected"));
                    expect(counters, `${netns}: no LDS updates accepted`).to.match(
                        /listener_manager\.lds\.update_success: [1-9]/,
                    );
                    expect(counters, `${netns}: no CDS updates accepted`).to.match(
                        /cluster_manager\.cds\.update_success: [1-9]/,
                    );
                    expect(rejected.length, counters).to.be.greaterThan(1);
                    const tolerated = switched && netns === lab.GATEWAY_NETNS ? /^listener_manager\.lds\./ : /^$/;
                    const unexpected = rejected.filter((line) => !line.endsWith(": 0") && !tolerated.test(line));
                    if (rejected.some((line) => !line.endsWith(": 0")))
                        note(`${netns} (switch): ${rejected.join(", ")}`);
                    expect(unexpected, `${netns}`).to.deep.equal([]);
                    // Envoy marks a listener whose latest update it rejected, until an update is accepted.
                    const listeners = envoyAdmin(netns, "/config_dump?resource=dynamic_listeners");
                    expect(listeners, `${netns}: no listeners in the config dump`).to.include('"active_state"');
                    expect(listeners, `${netns}: a listener holds a rejected update`).to.not.include('"error_state"');
                }
            });
        });

    seedChecks("ISTIO");
    seedChecks("GATEWAY_API");

    describe("two tenants on one gateway: a team's stack attached to the seed's gateway (routingApi ISTIO)", () => {
        // The team's host, for the second client's identity only; the seed's pay.lab.example is the first client's.
        const TEAM_HOST = "team.lab.example";
        let team: Stack | undefined;
        let teamSynced = false;

        before(async () => {
            await ensureSeed("ISTIO");
            team = await scratchStack(tools, workHome, path.join(REPO, "examples", "teams", "team"), "intruders", {
                KUBECONFIG: lab.KUBECONFIG,
            });
            await team.setAllConfig({
                team: { value: "intruders" },
                platformStack: { value: "organization/mesh-egress-local/lab" },
                hosts: {
                    value: JSON.stringify([
                        { host: TEAM_HOST, from: [{ namespace: "default", serviceAccount: "intruder" }] },
                    ]),
                },
            });
            note(`pulumi up (team intruders): ${(await team.up({ onOutput: echo })).summary.result}`);
            const hop = `outbound|80||intruders-team-lab-example.gateway.mesh-egress.internal`;
            teamSynced =
                (await eventually(60, () =>
                    envoyAdmin(lab.CLIENT2_NETNS, "/clusters").includes(`${hop}::${lab.GATEWAY_IP}:80::`) &&
                    routesFrom(lab.GATEWAY_NETNS, "ISTIO", [...httpHosts(), TEAM_HOST]) &&
                    nothingDraining(lab.GATEWAY_NETNS)
                        ? true
                        : undefined,
                )) ?? false;
            note(`proxies ${teamSynced ? "in sync" : "not in sync"} with the team's host`);
        });

        after(async () => {
            await team?.destroy({ onOutput: echo }).catch((e: Error) => note(`team destroy failed: ${e.message}`));
        });

        it("the team's stack goes up and the proxies receive its host", () => {
            expect(teamSynced).to.equal(true);
        });

        it("each tenant reaches its own host through the gateway, and is denied the other's (403, nothing reaches the server)", () => {
            const own = request(lab.CLIENT2_NETNS, `http://${TEAM_HOST}/`);
            expect(own.response.status, own.response.raw).to.equal(301);
            expect(own.seen).to.deep.equal([{ peer: lab.GATEWAY_IP, host: TEAM_HOST, method: "HEAD", path: "/" }]);
            const theirs = request(lab.CLIENT_NETNS, `http://${TEAM_HOST}/`);
            expect(theirs.response.status, theirs.response.raw).to.equal(403);
            expect(theirs.seen).to.deep.equal([]);
            const platforms = request(lab.CLIENT2_NETNS, "http://pay.lab.example/");
            expect(platforms.response.status, platforms.response.raw).to.equal(403);
            const allowed = request(lab.CLIENT_NETNS, "http://pay.lab.example/");
            expect(allowed.response.status, allowed.response.raw).to.equal(301);
        });

        it("the platform's open hosts still serve both tenants", () => {
            for (const netns of [lab.CLIENT_NETNS, lab.CLIENT2_NETNS]) {
                const { response, seen } = request(netns, "http://aliyun.com/");
                expect(response.status, response.raw).to.equal(301);
                expect(seen.map((r) => r.peer)).to.deep.equal([lab.GATEWAY_IP]);
            }
        });
    });

    describe("after pulumi destroy", () => {
        before(async () => {
            await ensureSeed();
            await ensureDestroyed();
        });

        it("the mesh config is as before (outbound policy back to its previous mode)", async () => {
            expect(destroyResult).to.equal("succeeded");
            expect((await api.configMapData("istio-system", "istio"))!.mesh).to.equal(meshBefore);
        });

        it("the client reaches aliyun.com directly from its own address again", async () => {
            const seen = await eventually(60, () => {
                const { response, seen } = request(lab.CLIENT_NETNS, "http://aliyun.com");
                return response.status === 301 && seen.length === 1 && seen[0].peer === lab.CLIENT_IP
                    ? seen
                    : undefined;
            });
            expect(seen, "the client's requests did not go directly to aliyun.com within 60 s").to.deep.equal([
                { peer: lab.CLIENT_IP, host: "aliyun.com", method: "HEAD", path: "/" },
            ]);
        });
    });
});
