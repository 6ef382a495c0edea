// `mesh-egress discover`: parsing Istio's access-log formats, the audit report and its proposal, and the command
// reading pod logs through the Kubernetes API (a local HTTP server that answers the pod-list and pod-log endpoints).
import { expect } from "chai";
import fc from "fast-check";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { validateArgs } from "../../sdk/validate";
import { AccessLogRecord, parseAccessLogLine } from "../../sdk/discover/accessLog";
import { connect } from "../../sdk/cluster/kubeApi";
import { UsageError, discover } from "../../sdk/discover/cli";
import { AuditReport, LineCounts, auditReport } from "../../sdk/discover/report";

const SEED = 20261201;

// Lines as Istio's default text format writes them (pilot/pkg/model/telemetry_logging.go, EnvoyTextLogFormat).
const HTTP_PASSTHROUGH =
    '[2026-12-01T02:00:01.000Z] "GET /index.html HTTP/1.1" 301 - via_upstream - "-" 0 57 3 2 "-" "curl/8.5.0" ' +
    '"5d1f-aa" "undeclared.example" "10.213.77.80:80" PassthroughCluster 10.213.77.20:40000 10.213.77.80:80 ' +
    "10.213.77.20:39999 - allow_any";
const TLS_PASSTHROUGH =
    '[2026-12-01T02:00:02.000Z] "- - -" 0 - - - "-" 517 3300 40 - "-" "-" "-" "-" "10.213.77.81:443" ' +
    "PassthroughCluster 10.213.77.20:40002 10.213.77.81:443 10.213.77.20:40001 api.vendor.example -";
const TCP_BLOCKED =
    '[2026-12-01T02:00:03.000Z] "- - -" 0 UH - - "-" 0 0 0 - "-" "-" "-" "-" "-" BlackHoleCluster - ' +
    "192.0.2.10:5432 10.213.77.20:40003 - -";
// REGISTRY_ONLY's answer to an undeclared HTTP host: the route block_all's direct 502, no cluster.
const HTTP_BLOCKED =
    '[2026-12-01T02:00:04.000Z] "GET / HTTP/1.1" 502 - direct_response - "-" 0 0 0 - "-" "curl/8.5.0" "x" ' +
    '"blocked.example" "-" - - 10.0.0.9:80 10.213.77.20:40005 - block_all';
const JSON_BLOCKED = JSON.stringify({
    start_time: "2026-12-01T02:00:07.000Z",
    protocol: "HTTP/1.1",
    response_flags: "-",
    authority: "json-blocked.example",
    upstream_cluster: null,
    downstream_local_address: "10.0.0.9:80",
    requested_server_name: null,
    route_name: "block_all",
});
const GATEWAY_DECLARED =
    '[2026-12-01T02:00:05.000Z] "GET / HTTP/1.1" 301 - via_upstream - "-" 0 57 3 2 "10.213.77.20" "curl/8.5.0" ' +
    '"y" "aliyun.com" "10.213.77.80:80" outbound|80||aliyun.com 10.213.77.30:41000 10.213.77.30:80 ' +
    "10.213.77.20:40006 - -";
const JSON_PASSTHROUGH = JSON.stringify({
    start_time: "2026-12-01T02:00:06.000Z",
    method: "GET",
    protocol: "HTTP/1.1",
    response_flags: "-",
    authority: "API.Example.com:8080",
    upstream_cluster: "PassthroughCluster",
    downstream_local_address: "192.0.2.1:8080",
    requested_server_name: "-",
});

const parsed = (line: string) => parseAccessLogLine(line)!;
const counts = (): LineCounts => ({ read: 0, malformed: 0, other: 0 });
const SLEEP = { namespace: "default", serviceAccount: "sleep" };

describe("access-log lines", () => {
    it("reads Istio's default text format for an HTTP call", () => {
        expect(parseAccessLogLine(HTTP_PASSTHROUGH)).to.deep.equal({
            startTime: "2026-12-01T02:00:01.000Z",
            protocol: "HTTP/1.1",
            responseFlags: "",
            authority: "undeclared.example",
            upstreamCluster: "PassthroughCluster",
            downstreamLocalAddress: "10.213.77.80:80",
            requestedServerName: "",
            routeName: "allow_any",
        });
    });

    it("reads a TCP line with the SNI of a TLS connection", () => {
        expect(parsed(TLS_PASSTHROUGH)).to.include({ protocol: "-", requestedServerName: "api.vendor.example" });
    });

    it("reads Istio's default JSON format", () => {
        expect(parseAccessLogLine(JSON_PASSTHROUGH)).to.deep.equal({
            startTime: "2026-12-01T02:00:06.000Z",
            protocol: "HTTP/1.1",
            responseFlags: "",
            authority: "API.Example.com:8080",
            upstreamCluster: "PassthroughCluster",
            downstreamLocalAddress: "192.0.2.1:8080",
            requestedServerName: "",
            routeName: "",
        });
    });

    it("reads a line whose X-Forwarded-For and User-Agent hold quotes, which Envoy writes unescaped", () => {
        const hiding = HTTP_PASSTHROUGH.replace('"-" "curl/8.5.0"', '"1.2.3.4" "x" "evil" "agent "quoted" \\"1.0"');
        expect(parseAccessLogLine(hiding)).to.include({
            authority: "undeclared.example",
            upstreamCluster: "PassthroughCluster",
            downstreamLocalAddress: "10.213.77.80:80",
        });
    });

    it("refuses what is not an access-log line, whatever it is, without throwing", () => {
        for (const line of ["", "2026-12-01T02:00:00Z info Envoy proxy is ready", "{", "{}", "[x] half a line"]) {
            expect(parseAccessLogLine(line), line).to.equal(undefined);
        }
        fc.assert(
            fc.property(fc.string(), (line) => {
                parseAccessLogLine(line);
            }),
            { seed: SEED, numRuns: 2000 },
        );
    });
});

describe("the audit report", () => {
    function report(lines: string[], declared: string[] = []): AuditReport {
        const records = lines.map((line) => ({ record: parsed(line), source: SLEEP }));
        return auditReport(records, counts(), declared);
    }

    it("lists each undeclared destination with its protocol, outcome, count, times and callers", () => {
        const found = report([HTTP_PASSTHROUGH, HTTP_PASSTHROUGH.replace("02:00:01", "02:09:00"), TLS_PASSTHROUGH]);
        expect(found.destinations).to.deep.equal([
            {
                destination: "undeclared.example",
                port: 80,
                protocol: "HTTP",
                outcome: "allowed",
                count: 2,
                firstSeen: "2026-12-01T02:00:01.000Z",
                lastSeen: "2026-12-01T02:09:00.000Z",
                sources: [SLEEP],
            },
            {
                destination: "api.vendor.example",
                port: 443,
                protocol: "TLS",
                outcome: "allowed",
                count: 1,
                firstSeen: "2026-12-01T02:00:02.000Z",
                lastSeen: "2026-12-01T02:00:02.000Z",
                sources: [SLEEP],
            },
        ]);
    });

    it("counts calls REGISTRY_ONLY blocked, HTTP (route block_all, in text and JSON) and TCP (BlackHoleCluster), as blocked", () => {
        const found = report([TCP_BLOCKED, HTTP_BLOCKED, JSON_BLOCKED]);
        expect(found.destinations.map((d) => `${d.destination}:${d.port} ${d.protocol} ${d.outcome}`)).to.deep.equal([
            "192.0.2.10:5432 TCP blocked",
            "blocked.example:80 HTTP blocked",
            "json-blocked.example:80 HTTP blocked",
        ]);
    });

    it("names TCP entries after the address connected to, an IPv4-mapped IPv6 address as its IPv4 address", () => {
        const tcp = (address: string) =>
            TCP_BLOCKED.replace("BlackHoleCluster", "PassthroughCluster").replace("192.0.2.10:5432", address);
        const found = report([tcp("[2001:db8::1]:5432"), tcp("[::ffff:192.0.2.9]:5432")]);
        expect(found.proposal.map((h) => [h.host, h.addresses])).to.have.deep.members([
            ["2001-db8-0-0-0-0-0-1.tcp.invalid", ["2001:db8::1"]],
            ["192-0-2-9.tcp.invalid", ["192.0.2.9"]],
        ]);
        expect(() => validateArgs("discovered", { hosts: found.proposal })).to.not.throw();
    });

    it("does not propose HTTP to an address (a metadata server, say), so the names on its port stay proposable", () => {
        const metadata = HTTP_PASSTHROUGH.replace('"undeclared.example"', '"169.254.169.254"');
        const found = report([metadata, metadata, HTTP_PASSTHROUGH]);
        expect(found.proposal).to.deep.equal([{ host: "undeclared.example", from: [SLEEP] }]);
        expect(found.notProposed).to.deep.equal([
            {
                destination: "169.254.169.254:80",
                reason: "HTTP to an address; MeshEgress declares hosts by name (or as TCP with addresses)",
            },
        ]);
    });

    it("proposes exactly what was seen, with the mode and the callers of each destination", () => {
        const found = report([HTTP_PASSTHROUGH, TLS_PASSTHROUGH, TCP_BLOCKED, JSON_PASSTHROUGH]);
        // Most-called first, then by name.
        expect(found.proposal).to.deep.equal([
            {
                host: "192-0-2-10.tcp.invalid",
                mode: "TCP",
                port: 5432,
                addresses: ["192.0.2.10"],
                endpoints: ["192.0.2.10"],
                from: [SLEEP],
            },
            { host: "api.example.com", port: 8080, from: [SLEEP] },
            { host: "api.vendor.example", mode: "TLS_PASSTHROUGH", from: [SLEEP] },
            { host: "undeclared.example", from: [SLEEP] },
        ]);
        expect(() => validateArgs("discovered", { hosts: found.proposal })).to.not.throw();
    });

    it("names the declared hosts nobody used, counting the gateway's log as use (wildcards included)", () => {
        const found = report([GATEWAY_DECLARED, TLS_PASSTHROUGH], ["aliyun.com", "old.example", "*.example"]);
        expect(found.declaredUnused).to.deep.equal(["old.example"]);
        expect(found.notProposed).to.deep.equal([
            { destination: "api.vendor.example:443", reason: "already declared" },
        ]);
    });

    it("proposes one port per host and says what else the host was seen on", () => {
        const other = TLS_PASSTHROUGH.replace(/10\.213\.77\.81:443 10\.213/, "10.213.77.81:8443 10.213");
        const found = report([TLS_PASSTHROUGH, TLS_PASSTHROUGH, other]);
        expect(found.proposal).to.deep.equal([{ host: "api.vendor.example", mode: "TLS_PASSTHROUGH", from: [SLEEP] }]);
        expect(found.notProposed).to.deep.equal([
            {
                destination: "api.vendor.example:8443",
                reason: "also seen as TLS on port 8443; MeshEgress declares one port per host",
            },
        ]);
    });

    it("over generated calls: proposes only names it saw, never a wildcard, each allowing only its own callers and accepted by MeshEgress", () => {
        const name = fc.oneof(
            fc.domain(),
            fc.constantFrom("*.evil.example", "bad_name.example", "x".repeat(70) + ".com", "10.0.0.1"),
        );
        const call = fc.record({
            name,
            port: fc.integer({ min: 1, max: 65535 }),
            tls: fc.boolean(),
            namespace: fc.constantFrom("default", "payments", "ci"),
            serviceAccount: fc.option(fc.constantFrom("sleep", "builder"), { nil: undefined }),
        });
        fc.assert(
            fc.property(fc.array(call, { maxLength: 30 }), (calls) => {
                const records = calls.map((c) => {
                    const record: AccessLogRecord = {
                        startTime: "2026-12-01T00:00:00Z",
                        protocol: c.tls ? "-" : "HTTP/1.1",
                        responseFlags: "",
                        authority: c.tls ? "" : c.name,
                        upstreamCluster: "PassthroughCluster",
                        downstreamLocalAddress: `203.0.113.5:${c.port}`,
                        requestedServerName: c.tls ? c.name : "",
                        routeName: c.tls ? "" : "allow_any",
                    };
                    return { record, source: { namespace: c.namespace, serviceAccount: c.serviceAccount } };
                });
                const found = auditReport(records, counts());
                expect(() => validateArgs("discovered", { hosts: found.proposal })).to.not.throw();
                for (const host of found.proposal) {
                    expect(host.host).to.not.include("*");
                    const seen = found.destinations.filter(
                        (d) => d.destination === host.host || (host.addresses ?? []).includes(d.destination),
                    );
                    expect(seen, host.host).to.not.deep.equal([]);
                    const callers = new Set(seen.flatMap((d) => d.sources.map((s) => JSON.stringify(s))));
                    for (const source of host.from ?? []) {
                        const exact = JSON.stringify({
                            namespace: source.namespace,
                            serviceAccount: source.serviceAccount,
                        });
                        expect(callers.has(exact) || callers.has(JSON.stringify(source)), exact).to.equal(true);
                    }
                }
                const proposedOrNot = found.proposal.length + found.notProposed.length;
                expect(proposedOrNot).to.be.at.least(new Set(found.destinations.map((d) => d.destination)).size);
            }),
            { seed: SEED, numRuns: 300 },
        );
    });
});

describe("the discover command", () => {
    let server: http.Server;
    let kubeconfig: string;
    const requests: string[] = [];
    const pods = {
        default: [
            {
                metadata: { name: "sleep-1" },
                spec: { serviceAccountName: "sleep", containers: [{ name: "sleep" }, { name: "istio-proxy" }] },
            },
            { metadata: { name: "no-sidecar" }, spec: { containers: [{ name: "app" }] } },
        ],
        ci: [
            {
                metadata: { name: "builder-1" },
                spec: { serviceAccountName: "builder", initContainers: [{ name: "istio-proxy" }] },
            },
        ],
        "istio-system": [{ metadata: { name: "egress-gateway-1" }, spec: { containers: [{ name: "istio-proxy" }] } }],
        gone: [
            { metadata: { name: "evicted-1" }, spec: { containers: [{ name: "istio-proxy" }] } },
            {
                metadata: { name: "worker-1" },
                spec: { serviceAccountName: "worker", containers: [{ name: "istio-proxy" }] },
            },
        ],
    } as Record<string, unknown[]>;
    const logs: Record<string, string> = {
        "sleep-1": `not an access-log line\n${HTTP_PASSTHROUGH}\n`,
        "builder-1": `${TLS_PASSTHROUGH}\n${JSON_PASSTHROUGH}\n`,
        "egress-gateway-1": `${GATEWAY_DECLARED}\n`,
        "worker-1": `${HTTP_PASSTHROUGH}\n`,
    };

    before(async () => {
        server = http.createServer((req, res) => {
            requests.push(req.url!);
            const url = new URL(req.url!, "http://localhost");
            const list = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(url.pathname);
            const log = /^\/api\/v1\/namespaces\/[^/]+\/pods\/([^/]+)\/log$/.exec(url.pathname);
            if (list) {
                res.writeHead(200, { "Content-Type": "application/json" }).end(
                    JSON.stringify({ items: pods[list[1]] ?? [] }),
                );
            } else if (log && logs[log[1]] !== undefined) {
                res.writeHead(200, { "Content-Type": "text/plain" }).end(logs[log[1]]);
            } else if (log) {
                const message = `pods "${log[1]}" not found`;
                res.writeHead(404, { "Content-Type": "application/json" }).end(JSON.stringify({ message }));
            } else res.writeHead(404).end("{}");
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const port = (server.address() as { port: number }).port;
        kubeconfig = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "discover-")), "kubeconfig");
        fs.writeFileSync(
            kubeconfig,
            [
                "apiVersion: v1",
                "kind: Config",
                "clusters:",
                `- name: fake\n  cluster:\n    server: http://127.0.0.1:${port}\n    insecure-skip-tls-verify: true`,
                "users:\n- name: fake\n  user:\n    token: t",
                "contexts:\n- name: fake\n  context:\n    cluster: fake\n    user: fake",
                "current-context: fake",
            ].join("\n"),
        );
    });
    after(() => server.close());

    it("reads every sidecar's log of the namespaces and the gateway's through the API, within the window, with progress", async () => {
        const progress: string[] = [];
        const args = ["--kubeconfig", kubeconfig, "--namespace", "default", "--namespace", "ci"];
        const gateway = ["--gateway", "istio-system:app=egress-gateway", "--since", "2h", "--output", "json"];
        const text = await discover([...args, ...gateway], (done, total) => progress.push(`${done}/${total}`));
        const found = JSON.parse(text) as AuditReport;
        expect(found.proposal).to.deep.equal([
            { host: "api.example.com", port: 8080, from: [{ namespace: "ci", serviceAccount: "builder" }] },
            {
                host: "api.vendor.example",
                mode: "TLS_PASSTHROUGH",
                from: [{ namespace: "ci", serviceAccount: "builder" }],
            },
            { host: "undeclared.example", from: [SLEEP] },
        ]);
        expect(found.lines).to.deep.equal({ read: 5, malformed: 1, other: 1 });
        expect(progress).to.deep.equal(["0/3", "1/3", "2/3", "3/3"]);
        expect(requests).to.include("/api/v1/namespaces/istio-system/pods?labelSelector=app%3Degress-gateway");
        expect(requests).to.include(
            "/api/v1/namespaces/default/pods/sleep-1/log?container=istio-proxy&sinceSeconds=7200",
        );
        expect(requests.some((r) => r.includes("no-sidecar/log"))).to.equal(false);
    });

    it("reads a pod once when its namespace is also the gateway's, or is given twice", async () => {
        const progress: string[] = [];
        const before = requests.length;
        const args = ["--kubeconfig", kubeconfig, "--namespace", "istio-system", "--namespace", "istio-system"];
        await discover([...args, "--gateway", "istio-system:app=egress-gateway"], (done, total) =>
            progress.push(`${done}/${total}`),
        );
        expect(progress).to.deep.equal(["0/1", "1/1"]);
        expect(requests.slice(before).filter((r) => r.includes("/egress-gateway-1/log"))).to.have.length(1);
    });

    it("skips a pod whose log is gone, reads the others, and says which pods the report does not cover", async () => {
        const progress: string[] = [];
        const args = ["--kubeconfig", kubeconfig, "--namespace", "gone", "--output", "json"];
        const found = JSON.parse(
            await discover(args, (done, total) => progress.push(`${done}/${total}`)),
        ) as AuditReport;
        expect(found.unreadPods).to.deep.equal([{ pod: "gone/evicted-1", reason: 'pods "evicted-1" not found' }]);
        expect(found.proposal).to.deep.equal([
            { host: "undeclared.example", from: [{ namespace: "gone", serviceAccount: "worker" }] },
        ]);
        expect(progress).to.deep.equal(["0/2", "1/2", "2/2"]);
        const table = await discover(["--kubeconfig", kubeconfig, "--namespace", "gone"], () => {});
        expect(table).to.include('Logs not read (not covered):\n  gone/evicted-1: pods "evicted-1" not found\n');
    });

    it("reads files, naming their pod with --source, and prints a table for people", async () => {
        const file = path.join(path.dirname(kubeconfig), "client.log");
        fs.writeFileSync(file, `${HTTP_PASSTHROUGH}\n${TLS_PASSTHROUGH}\n`);
        const text = await discover(["--file", file, "--source", "default/sleep"], () => {});
        expect(text).to.include(
            "Undeclared destinations: 2 call(s) to 2 destination(s) (2 lines read: 0 not access-log lines, 0 other traffic)",
        );
        expect(text).to.match(/undeclared\.example +80 +HTTP +allowed +1 .* default\/sleep/);
        expect(text).to.include(
            "Proposed hosts (review, then paste into MeshEgress's hosts):\n- host: api.vendor.example",
        );
        expect(text).to.include(
            "- host: undeclared.example\n  from:\n    - namespace: default\n      serviceAccount: sleep\n",
        );
    });

    it("refuses bad options with the option and the value", async () => {
        const cases: [string[], string][] = [
            [[], "give the logs to read: --namespace NS (pod logs) or --file PATH"],
            [["--file", "x", "--output", "xml"], '--output "xml" is not one of table, json, yaml'],
            [["--namespace", "a", "--since", "1w"], '--since "1w" is not a duration like 90s, 30m, 24h or 7d'],
            [["--file", "x", "--source", "a/b/c"], '--source "a/b/c" is not NS or NS/SA'],
            [["--namespace", "a", "--since", "0s"], '--since "0s" is not a duration like 90s, 30m, 24h or 7d'],
            [
                ["--file", "x", "--since", "1h"],
                "--since applies to pod logs: add --namespace NS, or leave it out with --file",
            ],
        ];
        for (const [argv, message] of cases) {
            let error: Error | undefined;
            await discover(["--kubeconfig", kubeconfig, ...argv], () => {}).catch((e: Error) => (error = e));
            expect(error, argv.join(" ")).to.be.instanceOf(UsageError);
            expect(error?.message).to.equal(message);
        }
    });
});

describe("the Kubernetes API client's time limit", () => {
    let server: http.Server;
    let kubeconfig: string;

    before(async () => {
        // /slow streams ten chunks 100 ms apart; /stalled answers its first chunk, then nothing.
        server = http.createServer((req, res) => {
            res.writeHead(200, { "Content-Type": "text/plain" });
            if (req.url === "/stalled") {
                res.write("first\n");
                return;
            }
            let sent = 0;
            const tick = setInterval(() => {
                res.write(`line ${sent}\n`);
                if (++sent === 10) {
                    clearInterval(tick);
                    res.end();
                }
            }, 100);
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const port = (server.address() as { port: number }).port;
        kubeconfig = [
            "apiVersion: v1",
            "kind: Config",
            `clusters:\n- name: fake\n  cluster:\n    server: http://127.0.0.1:${port}\n    insecure-skip-tls-verify: true`,
            "users:\n- name: fake\n  user:\n    token: t",
            "contexts:\n- name: fake\n  context:\n    cluster: fake\n    user: fake",
            "current-context: fake",
        ].join("\n");
    });
    after(() => server.closeAllConnections?.() ?? server.close());

    it("lets an answer stream for longer than the limit while bytes keep coming", async () => {
        const api = await connect({ kubeconfig, origin: "--kubeconfig k" }, 400);
        const response = await api.request("GET", "/slow");
        expect(response.text.split("\n").filter(Boolean)).to.have.length(10);
    });

    it("gives up on an answer that stops for longer than the limit, naming the server and the kubeconfig", async () => {
        const api = await connect({ kubeconfig, origin: "--kubeconfig k" }, 400);
        let error: Error | undefined;
        await api.request("GET", "/stalled").catch((e: Error) => (error = e));
        expect(error?.message).to.match(
            /^cannot reach the Kubernetes API server at http:\/\/127\.0\.0\.1:\d+ \(--kubeconfig k, context fake\): no answer within 0\.4 s$/,
        );
    });
});
