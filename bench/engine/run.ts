// `pulumi preview` by the real engine (Pulumi CLI, Node.js language host, Kubernetes provider plugin; file backend):
// the MeshEgress program versus a baseline program that registers the same objects directly (bench/engine/program),
// rendered to YAML and against a local kube-apiserver, with and without PULUMI_PARALLEL_DIFF; then the cost of an
// edit: `up` at 500 hosts, add one host, preview.
//
//   run.ts [--smoke]     prints Markdown; --smoke: 3 hosts, one run each, render mode (+ the edit at 3 hosts)
//
// Every preview is a fresh CLI process, timed from spawn to exit. The two variants alternate (and swap order every
// repeat), so drift in machine load hits both alike.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalCluster, startCluster } from "../../test/e2e/support/cluster";
import { toolchain } from "../../test/e2e/support/toolchain";
import { buildPlan } from "../../sdk/plan";
import { validateArgs } from "../../sdk/validate";
import { benchHosts, engineArgs, median } from "../scenario";
import { BenchStack, CLI_DEFAULTS, EngineSettings, PreviewRun, Timed, Workspace } from "./stack";
import { ROLES } from "./processes";
import { changes, resourceDigest } from "./steps";

type Variant = "mesh" | "baseline";
const VARIANTS: Variant[] = ["mesh", "baseline"];
const NAMES: Record<Variant, string> = { mesh: "MeshEgress", baseline: "baseline" };

/** Hosts and repeats: more repeats where runs are short and noise is relatively large. */
const SIZES: [number, number][] = [
    [10, 5],
    [100, 5],
    [500, 3],
];
const EDIT_HOSTS = 500;
const EDIT_REPEATS = 3;
/**
 * Hosts and repeats for the CLI's plain defaults (rendered, and once for the edit): a preview at 500 hosts takes
 * minutes (the per-step snapshot), so few runs; 100 hosts shows how that cost grows.
 */
const DEFAULTS_SIZES: [number, number][] = [
    [100, 3],
    [500, 2],
];
const EDIT_DEFAULTS_REPEATS = 1;

/**
 * The settings every size is measured with. Checkpoints are skipped throughout (the file backend's per-step snapshot
 * would otherwise dominate and hide everything else); the CLI's plain defaults are measured once, at 500 hosts.
 */
const MATRIX: EngineSettings[] = [
    { parallelDiff: false, skipCheckpoints: true },
    { parallelDiff: true, skipCheckpoints: true },
];

const settingsLabel = (st: EngineSettings) =>
    [st.skipCheckpoints && "SKIP_CHECKPOINTS", st.parallelDiff && "PARALLEL_DIFF"].filter(Boolean).join(" + ") ||
    "none (CLI defaults)";

/** What a program registers for `n` hosts; the baseline gets the plan the component would compute. */
function programInput(n: number) {
    const args = engineArgs(n);
    const plan = buildPlan(validateArgs("egress", args));
    return { args, plan: { objects: plan.objects, meshConfigEdit: plan.meshConfigEdit! } };
}

const s = (ms: number) => (ms / 1000).toFixed(2);
const f = (x: number, digits: number) => x.toFixed(digits);
const med = (runs: Timed[], key: "ms" | "cpuMs" | "maxRssMB") => median(runs.map((r) => r[key]));

interface Cell {
    settings: EngineSettings;
    runs: Record<Variant, PreviewRun[]>;
    /** Custom resources in each preview (providers excluded); equal for both variants. */
    resources: number;
}

const ratio = (cell: Cell) => med(cell.runs.mesh, "ms") / med(cell.runs.baseline, "ms");

/** Both programs must have previewed the same custom resources (type, name, provider, checked inputs, dependencies). */
function checkSameResources(what: string, mesh: PreviewRun, baseline: PreviewRun): number {
    const [m, b] = [resourceDigest(mesh.steps), resourceDigest(baseline.steps)];
    if (m.digest !== b.digest || m.customResources !== b.customResources) {
        throw new Error(
            `${what}: MeshEgress and baseline preview different resources (${m.customResources} vs ${b.customResources})`,
        );
    }
    return m.customResources;
}

/**
 * Previews both variants' stacks `repeats` times under each setting. Within a repeat the settings and the variants
 * alternate their order, so each pair of runs compared with each other ran back to back.
 */
async function measure(
    what: string,
    stacks: Record<Variant, BenchStack>,
    settings: EngineSettings[],
    repeats: number,
): Promise<Cell[]> {
    const runs = settings.map(() => ({ mesh: [], baseline: [] }) as Record<Variant, PreviewRun[]>);
    for (let r = 0; r < repeats; r++) {
        const order = settings.map((_, i) => i);
        if (r % 2) order.reverse();
        for (const i of order) {
            for (const variant of (r + i) % 2 ? [...VARIANTS].reverse() : VARIANTS) {
                const run = await stacks[variant].preview(settings[i]);
                runs[i][variant].push(run);
                console.error(
                    `  ${what}, ${settingsLabel(settings[i])}, run ${r + 1}/${repeats}, ${NAMES[variant]}: ${s(run.ms)} s`,
                );
            }
        }
    }
    return settings.map((st, i) => ({
        settings: st,
        runs: runs[i],
        resources: checkSameResources(what, runs[i].mesh[0], runs[i].baseline[0]),
    }));
}

async function stacksFor(
    ws: Workspace,
    name: string,
    cluster: LocalCluster | undefined,
    input: ReturnType<typeof programInput>,
) {
    const stacks = {} as Record<Variant, BenchStack>;
    for (const v of VARIANTS) {
        stacks[v] = await BenchStack.create(ws, `${v}-${name}`, v, cluster);
        stacks[v].setInput(input);
    }
    return stacks;
}

/** Previews from an empty stack at every size (every object is a create); returns the cells and the stacks. */
async function fromEmpty(
    ws: Workspace,
    mode: string,
    cluster: LocalCluster | undefined,
    sizes: [number, number][],
    settings: EngineSettings[],
    warmUp: boolean,
) {
    const cells = new Map<number, Cell[]>();
    const stacks = new Map<number, Record<Variant, BenchStack>>();
    for (const [hosts, repeats] of sizes) {
        stacks.set(hosts, await stacksFor(ws, `${mode}-${hosts}`, cluster, programInput(hosts)));
        // The first previews pay one-off costs (the page cache for the CLI, the plugins and node_modules; a new API
        // server's first discovery and OpenAPI requests): one of each variant first, not recorded.
        if (warmUp && hosts === sizes[0][0]) for (const v of VARIANTS) await stacks.get(hosts)![v].preview(settings[0]);
        cells.set(hosts, await measure(`${mode}, ${hosts} hosts`, stacks.get(hosts)!, settings, repeats));
    }
    return { cells, stacks };
}

/**
 * `up` at `hosts` (each variant on a cluster of its own: both deploy objects of the same names), then one more host
 * in the input, and previews. The added host uses a port the gateway already has, so only its own objects are new.
 */
async function edit(
    ws: Workspace,
    clusters: Record<Variant, LocalCluster>,
    hosts: number,
    runs: [EngineSettings[], number][],
) {
    const added = benchHosts(hosts + 1)[hosts];
    const before = programInput(hosts);
    const after = programInput(hosts + 1);
    const service = (input: typeof before) =>
        JSON.stringify(input.plan.objects.find((o) => o.manifest.kind === "Service"));
    const newPort = service(before) !== service(after);
    const expected = after.plan.objects.filter((o) => o.host === added.host);
    const stacks = {} as Record<Variant, BenchStack>;
    const ups = {} as Record<Variant, Timed>;
    for (const v of VARIANTS) {
        stacks[v] = await BenchStack.create(ws, `${v}-edit-${hosts}`, v, clusters[v]);
        stacks[v].setInput(before);
        ups[v] = await stacks[v].up();
        console.error(`  edit: up of ${hosts} hosts, ${NAMES[v]}: ${s(ups[v].ms)} s`);
        stacks[v].setInput(after);
    }
    const cells: Cell[] = [];
    for (const [settings, repeats] of runs)
        cells.push(...(await measure(`edit, ${hosts} + 1 hosts`, stacks, settings, repeats)));
    // Every preview's steps other than `same`; the custom resources among them must be exactly the added host's
    // objects, each a create (a component's own update makes no API call).
    const stepLists = new Map<Variant, Set<string>>(VARIANTS.map((v) => [v, new Set()]));
    let exact = !newPort;
    for (const cell of cells) {
        for (const v of VARIANTS) {
            for (const run of cell.runs[v]) {
                const changed = changes(run.steps);
                // A broken edit could change thousands of objects: list a few.
                const shown =
                    changed.length > 12 ? [...changed.slice(0, 12), `… ${changed.length - 12} more`] : changed;
                stepLists.get(v)!.add(shown.join(", "));
                const objects = run.steps.filter((st) => st.custom && st.op !== "same");
                exact &&=
                    objects.length === expected.length &&
                    objects.every(
                        (st) =>
                            st.op === "create" &&
                            expected.some((o) => o.resourceName === st.name && st.type.endsWith(`:${o.manifest.kind}`)),
                    );
            }
        }
    }
    return { added, expected, newPort, ups, cells, stepLists, exact };
}

const TABLE_HEAD = [
    "| hosts | resources | engine env (PULUMI_…) | runs | MeshEgress s | baseline s | ratio | paired ratios | CPU s | CPU ratio | largest process MB |",
    "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
];

function row(hosts: number | string, cell: Cell): string {
    const { mesh, baseline } = cell.runs;
    const paired = mesh.map((m, i) => m.ms / baseline[i].ms).sort((a, b) => a - b);
    return (
        `| ${hosts} | ${cell.resources} | ${settingsLabel(cell.settings)} | ${mesh.length} | ${s(med(mesh, "ms"))} | ` +
        `${s(med(baseline, "ms"))} | **${f(ratio(cell), 3)}** | ` +
        `${f(paired[0], 2)} – ${f(median(paired), 2)} – ${f(paired[paired.length - 1], 2)} | ` +
        `${s(med(mesh, "cpuMs"))} / ${s(med(baseline, "cpuMs"))} | ${f(med(mesh, "cpuMs") / med(baseline, "cpuMs"), 3)} | ` +
        `${f(med(mesh, "maxRssMB"), 0)} / ${f(med(baseline, "maxRssMB"), 0)} |`
    );
}

const rows = (cells: Map<number, Cell[]>) =>
    [...cells].flatMap(([hosts, list]) => list.map((cell) => row(hosts, cell)));

const SPLIT_HEAD = [
    `| hosts | engine env (PULUMI_…) | ${ROLES.join(" | ")} |`,
    `|---:|---|${ROLES.map(() => "---:").join("|")}|`,
];

/** Median CPU seconds of each process role, MeshEgress / baseline. */
function splitRow(hosts: number | string, cell: Cell): string {
    const role = (v: Variant, r: (typeof ROLES)[number]) => s(median(cell.runs[v].map((run) => run.cpuByRole[r])));
    return `| ${hosts} | ${settingsLabel(cell.settings)} | ${ROLES.map((r) => `${role("mesh", r)} / ${role("baseline", r)}`).join(" | ")} |`;
}

const splitRows = (cells: Map<number, Cell[]>) =>
    [...cells].flatMap(([hosts, list]) => list.map((cell) => splitRow(hosts, cell)));

const SPLIT_INTRO =
    "Where the CPU goes: median CPU s per process role, MeshEgress / baseline (sampled from /proc every 200 ms).";

function versions(ws: Workspace): string {
    const first = (cmd: string, args: string[]) =>
        execFileSync(cmd, args, { env: ws.tools.env, encoding: "utf8" }).trim().split("\n")[0];
    const pinned = fs.readFileSync(path.join(__dirname, "..", "..", "tools", "versions.env"), "utf8");
    const version = (key: string) => pinned.match(new RegExp(`^${key}=(.*)$`, "m"))?.[1] ?? "?";
    return (
        `Pulumi CLI ${first("pulumi", ["version"])}, Node.js language host ${version("TOOLS_PULUMI_LANGUAGE_NODEJS_VERSION")}, ` +
        `Kubernetes provider plugin ${version("TOOLS_PULUMI_KUBERNETES_VERSION")}, ${first("kube-apiserver", ["--version"])}, ` +
        `etcd ${version("TOOLS_ETCD_VERSION")}; file backend; the engine's default --parallel (${4 * os.cpus().length} here).`
    );
}

function verdicts(
    render: Cell[],
    cluster: Cell[] | undefined,
    e: Awaited<ReturnType<typeof edit>>,
    editHosts: number,
): string[] {
    const kinds = e.expected.map((o) => o.manifest.kind).join(", ");
    const lines = ["| target | measured | verdict |", "|---|---|---|"];
    if (cluster) {
        const at500 = [
            ...render.map((c) => ["rendered", c] as const),
            ...cluster.map((c) => ["local kube-apiserver", c] as const),
        ];
        const met = at500.every(([, c]) => ratio(c) <= 1.1);
        const measured = at500
            .map(([mode, c]) => `${mode}, ${settingsLabel(c.settings)}: ${f(ratio(c), 3)}×`)
            .join("; ");
        lines.push(`| real preview ≤ 1.1× baseline at 500 hosts | ${measured} | ${met ? "**met**" : "**not met**"} |`);
    }
    lines.push(
        `| edit at ${editHosts} hosts previews exactly one host's objects | expected ${e.expected.length} creates (${kinds}) and no other ` +
            `custom resource step; see the step lists | ${e.exact ? "**met**" : "**not met**"} |`,
    );
    return lines;
}

async function main(smoke: boolean): Promise<void> {
    const sizes: [number, number][] = smoke ? [[3, 1]] : SIZES;
    const matrix = smoke ? MATRIX.slice(0, 1) : MATRIX;
    const editHosts = smoke ? 3 : EDIT_HOSTS;
    const tools = toolchain();
    const ws = new Workspace(tools);
    const clusters: LocalCluster[] = [];
    const cleanup = () => {
        for (const c of clusters.splice(0)) c.stop();
        fs.rmSync(ws.dir, { recursive: true, force: true });
    };
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
        process.on(signal, () => {
            cleanup();
            process.exit(130);
        });
    }
    try {
        const out = [versions(ws), ""];

        const largest = sizes[sizes.length - 1][0];
        const render = await fromEmpty(ws, "render", undefined, sizes, matrix, !smoke);
        const defaults = new Map<number, Cell[]>();
        for (const [hosts, repeats] of smoke ? [] : DEFAULTS_SIZES) {
            defaults.set(
                hosts,
                await measure(`render, ${hosts} hosts`, render.stacks.get(hosts)!, [CLI_DEFAULTS], repeats),
            );
        }
        out.push(
            "#### Rendered to YAML (`renderYamlToDirectory`, no cluster), from an empty stack",
            "",
            ...TABLE_HEAD,
            ...rows(render.cells),
            ...rows(defaults),
            "",
            SPLIT_INTRO,
            "",
            ...SPLIT_HEAD,
            ...splitRows(render.cells),
            ...splitRows(defaults),
            "",
        );

        let cluster: Awaited<ReturnType<typeof fromEmpty>> | undefined;
        if (!smoke) {
            clusters.push(startCluster(tools));
            cluster = await fromEmpty(ws, "cluster", clusters[0], sizes, matrix, true);
            out.push(
                "#### Against the local kube-apiserver, from an empty stack",
                "",
                ...TABLE_HEAD,
                ...rows(cluster.cells),
                "",
            );
            out.push(SPLIT_INTRO, "", ...SPLIT_HEAD, ...splitRows(cluster.cells), "");
        }

        while (clusters.length < 2) clusters.push(startCluster(tools));
        const editRuns: [EngineSettings[], number][] = smoke
            ? [[matrix, 1]]
            : [
                  [matrix, EDIT_REPEATS],
                  [[CLI_DEFAULTS], EDIT_DEFAULTS_REPEATS],
              ];
        const e = await edit(ws, { mesh: clusters[0], baseline: clusters[1] }, editHosts, editRuns);
        out.push(
            `#### Edit: \`up\` at ${editHosts} hosts on the local kube-apiserver, add one host, preview`,
            "",
            `Added host: \`${e.added.host}\`, ${e.added.mode ?? "HTTP"} on port ${e.added.port ?? 80}, ` +
                (e.newPort
                    ? "**a new gateway port: the gateway Service changes too**."
                    : "a port the gateway already listens on.") +
                ` \`up\` of ${editHosts} hosts (PULUMI_SKIP_CHECKPOINTS) took ${s(e.ups.mesh.ms)} s (MeshEgress) and ${s(e.ups.baseline.ms)} s (baseline).`,
            "",
            ...TABLE_HEAD,
            ...e.cells.map((cell) => row(`${editHosts} + 1`, cell)),
            "",
            SPLIT_INTRO,
            "",
            ...SPLIT_HEAD,
            ...e.cells.map((cell) => splitRow(`${editHosts} + 1`, cell)),
            "",
            "Steps other than `same`, in every edit preview (distinct lists):",
            "",
            ...VARIANTS.map(
                (v) => `- ${NAMES[v]}: ${[...e.stepLists.get(v)!].map((list) => `\`${list}\``).join(" / ")}`,
            ),
            "",
            ...verdicts(
                [...render.cells.get(largest)!, ...(defaults.get(largest) ?? [])],
                cluster?.cells.get(largest),
                e,
                editHosts,
            ),
        );
        console.log(out.join("\n"));
    } finally {
        cleanup();
    }
}

if (require.main === module) {
    main(process.argv.includes("--smoke")).catch((err) => {
        console.error(err);
        process.exit(1);
    });
}
