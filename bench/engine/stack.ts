// Stacks of bench/engine/program run by the real Pulumi CLI (the toolchain of `npm run setup`), with a file backend.
// Everything lives in one scratch directory: the backend's state, PULUMI_HOME, the project file (its `main` points
// at the program, so no stack file is ever written into the repository) and each stack's input and render directory.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Toolchain } from "../../test/e2e/support/toolchain";
import type { ProgramInput } from "./program/input";
import { Step, parsePreview } from "./steps";

const PROGRAM = path.join(__dirname, "program");

/** One CLI process: wall time measured here; CPU time and peak memory by GNU time. */
export interface Timed {
    ms: number;
    /** User + system CPU time of the CLI and of every process it waited for: language host, program, plugins. */
    cpuMs: number;
    /** Peak resident set of the largest single process in the tree. */
    maxRssMB: number;
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

    /** The environment of every CLI run; `kubeconfig` undefined means no cluster at all (render mode). */
    env(kubeconfig: string | undefined, settings: EngineSettings): Record<string, string> {
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
        if (kubeconfig) env.KUBECONFIG = kubeconfig;
        delete env.PULUMI_PARALLEL_DIFF;
        delete env.PULUMI_SKIP_CHECKPOINTS;
        if (settings.parallelDiff) env.PULUMI_PARALLEL_DIFF = "true";
        if (settings.skipCheckpoints) env.PULUMI_SKIP_CHECKPOINTS = "true";
        return env;
    }

    /** Runs `pulumi <args>` in the project; stdout goes to `stdoutFile`. Throws with the output when it fails. */
    pulumi(args: string[], env: Record<string, string>, stdoutFile: string): Timed {
        const timeFile = `${stdoutFile}.time`;
        const out = fs.openSync(stdoutFile, "w");
        const t0 = process.hrtime.bigint();
        const result = spawnSync("/usr/bin/time", ["-f", "%U %S %M", "-o", timeFile, "pulumi", ...args, "--cwd", this.project, "--non-interactive"], {
            env,
            stdio: ["ignore", out, "pipe"],
            encoding: "utf8",
            maxBuffer: 64 * 2 ** 20,
        });
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        fs.closeSync(out);
        if (result.status !== 0) {
            const stdout = fs.readFileSync(stdoutFile, "utf8");
            throw new Error(`pulumi ${args.join(" ")} failed (${result.status}):\n${stdout.slice(-4000)}\n${result.stderr}`);
        }
        const [user, system, maxRssKB] = fs.readFileSync(timeFile, "utf8").trim().split(" ").map(Number);
        fs.rmSync(timeFile);
        return { ms, cpuMs: (user + system) * 1000, maxRssMB: maxRssKB / 1024 };
    }
}

export class BenchStack {
    private readonly dir: string;
    private readonly inputFile: string;
    private runs = 0;

    /** Creates the stack (empty state) with its input file; `kubeconfig` undefined renders YAML instead. */
    constructor(
        private readonly ws: Workspace,
        readonly name: string,
        readonly variant: ProgramInput["variant"],
        private readonly kubeconfig: string | undefined,
    ) {
        this.dir = path.join(ws.dir, "stacks", name);
        this.inputFile = path.join(this.dir, "input.json");
        fs.mkdirSync(this.dir);
        const env = ws.env(kubeconfig, CLI_DEFAULTS);
        ws.pulumi(["stack", "init", name, "--secrets-provider", "passphrase"], env, this.log("init"));
        ws.pulumi(["config", "set", "--stack", name, "input", this.inputFile], env, this.log("config"));
    }

    /** What the next run's program registers. */
    setInput(input: Omit<ProgramInput, "variant" | "renderDir">): void {
        const renderDir = this.kubeconfig ? undefined : path.join(this.dir, "rendered");
        fs.writeFileSync(this.inputFile, JSON.stringify({ ...input, variant: this.variant, renderDir }));
    }

    preview(settings: EngineSettings): PreviewRun {
        const file = this.log("preview");
        const timed = this.ws.pulumi(["preview", "--stack", this.name, "--json"], this.ws.env(this.kubeconfig, settings), file);
        const steps = parsePreview(fs.readFileSync(file, "utf8"));
        fs.rmSync(file);
        return { ...timed, steps };
    }

    /** Deploys what the input declares (without intermediate checkpoints: the final state is written as usual). */
    up(): Timed {
        const env = this.ws.env(this.kubeconfig, { parallelDiff: false, skipCheckpoints: true });
        return this.ws.pulumi(["up", "--stack", this.name, "--yes", "--skip-preview"], env, this.log("up"));
    }

    private log(command: string): string {
        return path.join(this.dir, `${++this.runs}-${command}.out`);
    }
}
