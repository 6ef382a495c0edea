// Renders the mesh-side benchmark's measurements (JSON lines from test/dataplane/meshside_test.go) as the markdown
// of its BENCHMARKS.md section, with the verdict on each target of the issue "Mesh-side scale".
//
//   node -r ts-node/register bench/meshSideReport.ts <measurements.jsonl>
import * as fs from "node:fs";

interface Cost {
    plan: string;
    proxy: string;
    hosts: number;
    clusters: number;
    listeners: number;
    routes: number;
    virtualHosts: number;
    endpoints: number;
    addresses?: number;
    bytes: number;
    buildMillis: number;
}

/** Which proxies must grow linearly, per plan: [plan, label in the verdict, proxies]. */
const LINEAR_CHECKS: [string, string, string[]][] = [
    ["mesh", "", ["client sidecar", "egress gateway"]],
    ["gatewayapi", "Gateway API routes, ", ["client sidecar", "egress gateway"]],
    ["ambient", "Ambient, ", ["ztunnel", "egress waypoint"]],
];

const kb = (bytes: number) => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} KB`);

export function report(costs: Cost[]): string {
    const find = (plan: string, proxy: string, hosts: number) =>
        costs.find((c) => c.plan === plan && c.proxy.startsWith(proxy) && c.hosts === hosts);
    const rows = costs.map(
        (c) =>
            `| ${c.plan} | ${c.proxy} | ${c.hosts} | ${c.clusters} | ${c.listeners} | ${c.routes} | ${c.virtualHosts} | ` +
            `${c.endpoints} | ${c.addresses ?? ""} | ${kb(c.bytes)} | ${c.buildMillis.toFixed(1)} ms |`,
    );
    const sizes = [...new Set(costs.filter((c) => c.plan === "mesh").map((c) => c.hosts))].sort((a, b) => a - b);
    const top = Math.max(...sizes.filter((n) => find("baseline", "client sidecar", n)));
    const verdicts: string[] = [];
    const ratio = (a?: Cost, b?: Cost) => (a && b ? a.bytes / b.bytes : NaN);
    const marginal = (plan: string, proxy: string, from: number, to: number) => {
        const a = find(plan, proxy, from);
        const b = find(plan, proxy, to);
        return a && b ? (b.bytes - a.bytes) / (to - from) : NaN;
    };
    const check = (ok: boolean) => (ok ? "**met**" : "**not met**");
    const client = ratio(find("mesh", "client sidecar", top), find("baseline", "client sidecar", top));
    verdicts.push(
        `- Client sidecar that may use every host at N = ${top}: ${client.toFixed(3)}× the bytes of the hand-written recipe's (target ≤ 1.0): ${check(client <= 1)}.`,
    );
    const gateway = ratio(find("mesh", "egress gateway", top), find("baseline", "egress gateway", top));
    verdicts.push(
        `- Egress gateway at N = ${top}: ${gateway.toFixed(3)}× the hand-written recipe's (target ≤ 1.0): ${check(gateway <= 1)}.`,
    );
    if (sizes.includes(10) && sizes.includes(100) && sizes.includes(1000)) {
        for (const [plan, label, proxies] of LINEAR_CHECKS.filter(([p, , [proxy]]) => find(p, proxy, 1000))) {
            for (const proxy of proxies) {
                const early = marginal(plan, proxy, 10, 100);
                const late = marginal(plan, proxy, 100, 1000);
                verdicts.push(
                    `- ${label}${proxy}: ${early.toFixed(0)} B per host from N = 10 to 100, ` +
                        `${late.toFixed(0)} B per host from 100 to 1,000; ratio ${(late / early).toFixed(2)} (target ≤ 1.2): ` +
                        `${check(late / early <= 1.2)}.`,
                );
            }
        }
    }
    const largest = Math.max(...sizes.filter((n) => find("gatewayapi", "client sidecar", n)));
    if (Number.isFinite(largest)) {
        for (const proxy of ["client sidecar", "egress gateway"]) {
            const versus = ratio(find("gatewayapi", proxy, largest), find("mesh", proxy, largest));
            verdicts.push(
                `- Gateway API routes at N = ${largest}, ${proxy}: ${versus.toFixed(3)}× the bytes of Istio's routes (target ≤ 1.05): ${check(versus <= 1.05)}.`,
            );
        }
    }
    const ambientTop = Math.max(...sizes.filter((n) => find("ambient", "egress waypoint", n)));
    if (Number.isFinite(ambientTop)) {
        const versus = ratio(
            find("ambient", "egress waypoint", ambientTop),
            find("mesh", "egress gateway", ambientTop),
        );
        verdicts.push(
            `- Ambient at N = ${ambientTop}: the egress waypoint receives ${versus.toFixed(3)}× the bytes of the sidecar-mode egress gateway (no target; for scale).`,
        );
    }
    const shardedTop = Math.max(...sizes.filter((n) => find("ambient-sharded", "egress waypoint", n)));
    if (Number.isFinite(shardedTop)) {
        const slowestWaypoint = find("ambient-sharded", "egress waypoint", shardedTop)!;
        verdicts.push(
            `- Ambient, every host with \`from\`, spread across waypoints (gateway.shardNamespaces, 250 hosts each) at N = ${shardedTop}: ` +
                `the ${slowestWaypoint.proxy} builds in ${slowestWaypoint.buildMillis.toFixed(0)} ms (target < 1 s): ` +
                `${check(slowestWaypoint.buildMillis < 1000)}.`,
        );
    }
    const none = find("none", "client sidecar", 0)!;
    const bystanders = costs.filter((c) => c.proxy.includes("no allowed host"));
    const worst = Math.max(...bystanders.map((c) => c.bytes / none.bytes));
    verdicts.push(
        `- Client sidecar in a namespace allowed no host: at most ${worst.toFixed(3)}× the bytes of a mesh without MeshEgress, at every N (target ≤ 1.05): ${check(worst <= 1.05)}.`,
    );
    const slowest = Math.max(
        ...costs.filter((c) => c.plan !== "baseline" && c.hosts <= 1000).map((c) => c.buildMillis),
    );
    verdicts.push(
        `- Build time per proxy up to N = 1,000: at most ${slowest.toFixed(0)} ms (target < 1 s): ${check(slowest < 1000)}.`,
    );
    return [
        "| plan | proxy | hosts | clusters | listeners | route configs | virtual hosts | EDS | addresses | bytes | build |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        ...rows,
        "",
        ...verdicts,
    ].join("\n");
}

if (require.main === module) {
    const lines = fs.readFileSync(process.argv[2], "utf8").split("\n").filter(Boolean);
    process.stdout.write(report(lines.map((line) => JSON.parse(line))) + "\n");
}
