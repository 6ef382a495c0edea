// The data-plane proof, in the project's test command: exports the component's plan for each scenario
// (export-plan.ts), runs the Go module in this folder (`go test -json`: Istio's in-process discovery server and
// traffic simulator on exactly those objects), and reports every Go test and subtest as a mocha test.
// The first run builds Istio's packages (minutes); later runs reuse Go's build cache.
import { expect } from "chai";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { toolchain } from "../e2e/support/toolchain";
import { writeMeshSidePlans } from "../../bench/meshSide";
import { writeGeneratedCompositions } from "./compositions";
import { GENERATED_SEED, exportPlan, writeGenerated, writeScenarios } from "./export-plan";

// Mocha's classes, to add one mocha test per Go test once `go test` has reported.
const { Suite, Test } = require("mocha") as typeof Mocha;

const GO_MODULE = __dirname;
/** How many generated plans the invariants run on (seeded: every run simulates the same ones). */
const GENERATED_PLANS = Number(process.env.MESH_EGRESS_GENERATED_PLANS ?? 200);
/** Generated compositions: a platform with generated hosts and two teams with theirs, on one gateway. */
const GENERATED_COMPOSITIONS = Number(process.env.MESH_EGRESS_GENERATED_COMPOSITIONS ?? 40);

/** One `go test -json` event (cmd/test2json). */
interface GoEvent {
    Action: string;
    Package?: string;
    Test?: string;
    Output?: string;
    Elapsed?: number;
}

interface GoTest {
    name: string;
    /** pass, fail or skip; "" if the test never finished (the binary crashed or timed out). */
    result: string;
    elapsed: number;
    output: string[];
    children: GoTest[];
}

interface GoRun {
    exitCode: number | null;
    tests: GoTest[];
    /** Output that belongs to no test (build errors, package summary). */
    other: string[];
    seconds: number;
}

function echo(text: string): void {
    process.stdout.write(text.replace(/^/gm, "        | ") + "\n");
}

/** Runs `go test -json` in the module and parses its events into a tree of tests. */
function goTest(planDir: string, meshSideDir: string): Promise<GoRun> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
        const child = spawn("go", ["test", "-json", "-count=1", "-timeout=20m", "./..."], {
            cwd: GO_MODULE,
            env: {
                ...process.env,
                // The upstream Envoy that `npm run tools` installs, for the `envoy --mode validate` checks.
                MESH_EGRESS_ENVOY: path.join(toolchain().bin, "envoy"),
                MESH_EGRESS_PLAN_DIR: planDir,
                MESH_EGRESS_MESHSIDE_DIR: meshSideDir,
                GOFLAGS: "-mod=readonly -buildvcs=false",
                GOTOOLCHAIN: "local",
            },
            stdio: ["ignore", "pipe", "pipe"],
        });
        const byName = new Map<string, GoTest>();
        const roots: GoTest[] = [];
        const other: string[] = [];
        let buffered = "";
        const onEvent = (event: GoEvent) => {
            if (!event.Test) {
                if (event.Output) other.push(event.Output.replace(/\n$/, ""));
                return;
            }
            let test = byName.get(event.Test);
            if (!test) {
                test = { name: event.Test, result: "", elapsed: 0, output: [], children: [] };
                byName.set(event.Test, test);
                // The parent is the longest known test whose name prefixes this one (names may contain "/").
                let parent: GoTest | undefined;
                for (const candidate of byName.values()) {
                    if (
                        event.Test.startsWith(candidate.name + "/") &&
                        (!parent || candidate.name.length > parent.name.length)
                    ) {
                        parent = candidate;
                    }
                }
                (parent ? parent.children : roots).push(test);
            }
            if (event.Action === "output" && event.Output) test.output.push(event.Output.replace(/\n$/, ""));
            if (["pass", "fail", "skip"].includes(event.Action)) {
                test.result = event.Action;
                test.elapsed = event.Elapsed ?? 0;
            }
        };
        child.stdout.setEncoding("utf8");
        child.stdout.on("data", (chunk: string) => {
            buffered += chunk;
            let newline: number;
            while ((newline = buffered.indexOf("\n")) >= 0) {
                const line = buffered.slice(0, newline);
                buffered = buffered.slice(newline + 1);
                if (!line.trim()) continue;
                try {
                    onEvent(JSON.parse(line) as GoEvent);
                } catch {
                    other.push(line);
                }
            }
        });
        child.stderr.setEncoding("utf8");
        child.stderr.on("data", (chunk: string) => other.push(...chunk.replace(/\n$/, "").split("\n")));
        child.on("error", reject);
        child.on("close", (exitCode) =>
            resolve({ exitCode, tests: roots, other, seconds: Math.round((Date.now() - started) / 1000) }),
        );
    });
}

/** A Go test's name as a mocha title: its last segment, with the underscores Go put for spaces turned back. */
function title(test: GoTest, parent?: GoTest): string {
    const own = parent ? test.name.slice(parent.name.length + 1) : test.name;
    return own.replace(/_/g, " ");
}

/** What a failing Go test said, without the discovery server's own log lines. */
function failureMessage(test: GoTest): string {
    const lines = test.output.filter(
        (line) => !/^\d{4}-\d\d-\d\dT/.test(line) && !/^\s*(=== (RUN|PAUSE|CONT)|--- (PASS|FAIL|SKIP))/.test(line),
    );
    const result = test.result || "did not finish (crash or timeout)";
    return `go test ${test.name}: ${result}\n${lines.join("\n")}`;
}

/** Adds a mocha test per Go test without subtests, and a mocha suite per Go test with subtests. */
function addGoTests(suite: Mocha.Suite, tests: GoTest[], parent?: GoTest): void {
    for (const test of tests) {
        if (test.children.length === 0) {
            if (test.result === "skip") {
                suite.addTest(new Test(title(test, parent)));
                continue;
            }
            suite.addTest(
                new Test(title(test, parent), () => {
                    if (test.result !== "pass") throw new Error(failureMessage(test));
                }),
            );
            continue;
        }
        const child = Suite.create(suite, title(test, parent));
        addGoTests(child, test.children, test);
        // A parent can fail on its own (a t.Fatal in its setup, a crash) while every subtest it ran passed.
        if (test.result !== "pass" && test.children.every((c) => c.result === "pass" || c.result === "skip")) {
            child.addTest(
                new Test("(its own checks)", () => {
                    throw new Error(failureMessage(test));
                }),
            );
        }
    }
}

describe("data plane: Istio's own discovery server routes the plan (test/dataplane, go test)", function () {
    // The first `go test` builds Istio's packages: minutes on two cores. Later runs take seconds.
    this.timeout(45 * 60 * 1000);
    let run: GoRun;

    before(async function () {
        // The Go tests are known only after the run; they go into this describe block's suite.
        const suite = this.test!.parent!;
        const planDir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-plans-"));
        const meshSideDir = path.join(planDir, "mesh-side");
        try {
            const scenarios = writeScenarios(planDir);
            const drawn = writeGenerated(planDir, GENERATED_PLANS);
            const composed = writeGeneratedCompositions(planDir, GENERATED_COMPOSITIONS, GENERATED_SEED, exportPlan);
            // The mesh-side cost harness at smoke sizes, for its exact check (least visibility); bench/run.sh measures.
            writeMeshSidePlans(meshSideDir, [0, 10]);
            echo(
                `exported the plan of ${scenarios.join(", ")}, of ${GENERATED_PLANS} generated argument sets ` +
                    `MeshEgress accepts (${drawn} drawn, seed ${GENERATED_SEED}) and of ${composed} generated ` +
                    "compositions (a platform and its teams on one gateway); go test -json ./... in test/dataplane",
            );
            run = await goTest(planDir, meshSideDir);
        } finally {
            fs.rmSync(planDir, { recursive: true, force: true });
        }
        echo(`go test exited ${run.exitCode} after ${run.seconds} s`);
        addGoTests(suite, run.tests);
    });

    it("go test ./... passes and ran tests", () => {
        const tail = run.other.slice(-40).join("\n");
        expect(run.tests.length, `go test reported no test:\n${tail}`).to.be.greaterThan(0);
        expect(run.exitCode, `go test failed:\n${tail}`).to.equal(0);
    });
});
