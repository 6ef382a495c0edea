// Stacks of bench/engine/program run by the real Pulumi CLI (the toolchain of `npm run setup`), with a file backend.
// Everything lives in one scratch directory: the backend's state, PULUMI_HOME, the project file (its `main` points
// at the program, so no stack file is ever written into the repository) and each stack's input and render directory.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalCluster } from "../../test/e2e/support/cluster";
import { Toolchain } from "../../test/e2e/support/toolchain";
import type { ProgramInput } from "./program/input";
import { CpuByRole, Role } from "./processes";
import { Step, parsePreview } from "./steps";

const PROGRAM = path.join(__dirname, "program");
/** How often the process tree's CPU is sampled: often enough for a fair split, rarely enough to cost ~nothing. */
const SAMPLE_MS = 200;
/** A pulumi command that runs this long has hung: the slowest (a 500-host preview with per-step snapshots) takes ~2 min. */
const PULUMI_TIMEOUT_MS = 15 * 60_000;

/** One CLI process: wall time measured here; CPU time and peak memory by GNU time. */
export interface Timed {
    ms: number;
    /** User + system CPU time of the CLI and of every process it waited for: language host, program, plugins. */
    cpuMs: number;
    /** Peak resident set of the largest single process in the tree. */
    maxRssMB: number;
    /** CPU ms by process role (sampled, so slightly below the total). */
    cpuByRole: Record<Role, number>;
}

/**
 * The engine's environment switches under test. `skipCheckpoints` (PULUMI_SKIP_CHECKPOINTS=true): the engine keeps its
 * in-memory snapshot current on every step, but serializes it only once at the end. Without it, the file backend
 * serializes the whole snapshot after every step even in a preview (whose writes it then discards): quadratic in
 * the resource count (see BENCHMARKS.md).
 */
export interface EngineSettings {
    parallelDiff: boolean;
    skipCheckpoints: boolean;
}

export const CLI_DEFAULTS: EngineSettings = { parallelDiff: false, skipCheckpoints: false };

export interface PreviewRun extends Timed {
    steps: Step[];
}

export class Workspace {
    readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-bench-"));
    private readonly project = path.join(this.dir, "project");

    constructor(readonly tools: Toolchain) {
        for (const sub of ["project", "state", "home", "stacks"]) fs.mkdirSync(path.join(this.dir, sub));
        fs.writeFileSync(
            path.join(this.project, "Pulumi.yaml"),
            `name: mesh-egress-bench\nruntime: nodejs\nmain: ${path.relative(this.project, PROGRAM)}\n`,
        );
    }

    /** The environment of every CLI run; `cluster` undefined means no cluster at all (render mode). */
    env(cluster: LocalCluster | undefined, settings: EngineSettings): Record<string, string> {
        const env: Record<string, string> = {
            ...this.tools.env,
            PULUMI_HOME: path.join(this.dir, "home"),
            PULUMI_BACKEND_URL: `file://${path.join(this.dir, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: "mesh-egress-bench",
            // Both programs are transpiled without a type check: a default TypeScript project type-checks first,
            // which adds the same few seconds to both variants at every size and would only dilute the ratios.
            PULUMI_NODEJS_TRANSPILE_ONLY: "true",
            // The program's own tsconfig: the CLI looks for one only in the project directory (here: the scratch one).
            PULUMI_NODEJS_TSCONFIG_PATH: path.join(PROGRAM, "tsconfig.json"),
        };
        // Render mode: no kubeconfig at all (the provider rejects an explicit one next to renderYamlToDirectory).
        delete env.KUBECONFIG;
        if (cluster) env.KUBECONFIG = cluster.kubeconfigPath;
        delete env.PULUMI_PARALLEL_DIFF;
        delete env.PULUMI_SKIP_CHECKPOINTS;
        if (settings.parallelDiff) env.PULUMI_PARALLEL_DIFF = "true";
        if (settings.skipCheckpoints) env.PULUMI_SKIP_CHECKPOINTS = "true";
        return env;
    }

    /**
     * Runs `pulumi <args>` in the project; stdout goes to `stdoutFile`. Throws with the output when it fails. The CPU
     * the cluster's servers spend meanwhile is counted too.
     */
    async pulumi(
        args: string[],
        env: Record<string, string>,
        stdoutFile: string,
        cluster?: LocalCluster,
    ): Promise<Timed> {
        const timeFile = `${stdoutFile}.time`;
        const out = fs.openSync(stdoutFile, "w");
        const t0 = process.hrtime.bigint();
        const command = [
            "-f",
            "%U %S %M",
            "-o",
            timeFile,
            "pulumi",
            ...args,
            "--cwd",
            this.project,
            "--non-interactive",
        ];
        // Its own process group, so a hung run (e.g. a program that never returns) can be killed with every child.
        const child = spawn("/usr/bin/time", command, { env, stdio: ["ignore", out, "pipe"], detached: true });
        const timeout = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), PULUMI_TIMEOUT_MS);
        let stderr = "";
        child.stderr!.on("data", (chunk) => (stderr += chunk));
        const servers = cluster
            ? ["kube-apiserver", "etcd"].map((name) =>
                  Number(fs.readFileSync(path.join(cluster.dir, `${name}.pid`), "utf8")),
              )
            : [];
        const cpu = new CpuByRole(child.pid!, servers);
        const sampler = setInterval(() => cpu.sample(), SAMPLE_MS);
        const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        clearTimeout(timeout);
        clearInterval(sampler);
        fs.closeSync(out);
        if (status !== 0) {
            const stdout = fs.readFileSync(stdoutFile, "utf8");
            const reason =
                status === null ? `killed after ${PULUMI_TIMEOUT_MS / 60_000} minutes` : `exit status ${status}`;
            throw new Error(`pulumi ${args.join(" ")} failed (${reason}):\n${stdout.slice(-4000)}\n${stderr}`);
        }
        const [user, system, maxRssKB] = fs.readFileSync(timeFile, "utf8").trim().split(" ").map(Number);
        fs.rmSync(timeFile);
        return { ms, cpuMs: (user + system) * 1000, maxRssMB: maxRssKB / 1024, cpuByRole: cpu.totals() };
    }
}

export class BenchStack {
    private readonly dir: string;
    private readonly inputFile: string;
    private runs = 0;

    private constructor(
        private readonly ws: Workspace,
        readonly name: string,
        readonly variant: ProgramInput["variant"],
        private readonly cluster: LocalCluster | undefined,
    ) {
        this.dir = path.join(ws.dir, "stacks", name);
        this.inputFile = path.join(this.dir, "input.json");
    }

    /** Creates the stack (empty state) whose program reads its input file; `cluster` undefined renders YAML. */
    static async create(
        ws: Workspace,
        name: string,
        variant: ProgramInput["variant"],
        cluster: LocalCluster | undefined,
    ) {
        const stack = new BenchStack(ws, name, variant, cluster);
        fs.mkdirSync(stack.dir);
        const env = ws.env(cluster, CLI_DEFAULTS);
        await ws.pulumi(["stack", "init", name, "--secrets-provider", "passphrase"], env, stack.log("init"));
        await ws.pulumi(["config", "set", "--stack", name, "input", stack.inputFile], env, stack.log("config"));
        return stack;
    }

    /** What the next run's program registers. */
    setInput(input: Omit<ProgramInput, "variant" | "renderDir">): void {
        const renderDir = this.cluster ? undefined : path.join(this.dir, "rendered");
        // Rendering has no cluster to check.
        const args = this.cluster ? input.args : { ...input.args, clusterCheck: false };
        fs.writeFileSync(this.inputFile, JSON.stringify({ ...input, args, variant: this.variant, renderDir }));
    }

    async preview(settings: EngineSettings): Promise<PreviewRun> {
        const file = this.log("preview");
        // --show-sames: unchanged resources are in the JSON too, so both programs' full sets of resources can be compared.
        const args = ["preview", "--stack", this.name, "--json", "--show-sames"];
        const timed = await this.ws.pulumi(args, this.ws.env(this.cluster, settings), file, this.cluster);
        const steps = parsePreview(fs.readFileSync(file, "utf8"));
        fs.rmSync(file);
        return { ...timed, steps };
    }

    /** Deploys what the input declares (without intermediate checkpoints: the final state is written as usual). */
    up(): Promise<Timed> {
        const env = this.ws.env(this.cluster, { parallelDiff: false, skipCheckpoints: true });
        return this.ws.pulumi(
            ["up", "--stack", this.name, "--yes", "--skip-preview"],
            env,
            this.log("up"),
            this.cluster,
        );
    }

    private log(command: string): string {
        return path.join(this.dir, `${++this.runs}-${command}.out`);
    }
}
