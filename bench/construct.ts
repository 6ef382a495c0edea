// Construction cost of one MeshEgress under Pulumi's mock monitor, versus a baseline program that registers the
// very same objects directly.
//
//   construct.ts worker <mesh|baseline> <hosts>   one measurement in this process; prints one JSON line
//   construct.ts [--smoke]                        checks both variants register identical resources, then spawns a
//                                                 fresh process per measurement and prints Markdown
//
// What is timed, identically for both variants: from just before the first registration call until
// waitForRPCs() resolves (every registration answered by the mock monitor). Module loading, setMocks and building
// the host list happen before the clock. The MeshEgress clock includes validateArgs + buildPlan, because the
// component does that on every run; the baseline's manifests are computed before the clock (it has no component,
// no validation and no plan at run time). Both register the MeshConfigOutboundMode dynamic resource, with the same
// arguments and dependencies, because it is part of every default MeshEgress.
import { execFileSync } from "node:child_process";
import * as os from "node:os";
import * as v8 from "node:v8";
import * as pulumi from "@pulumi/pulumi";
import { MeshConfigOutboundMode } from "../sdk/meshConfig/resource";
import { MeshEgress } from "../sdk/meshEgress";
import { buildPlan } from "../sdk/plan";
import { OWNER_ANNOTATION } from "../sdk/plan/manifest";
import { validateArgs } from "../sdk/validate";
import { kindClass } from "../sdk/kinds";
import { benchArgs, median, nodeArgs } from "./scenario";

type Variant = "mesh" | "baseline";

export interface Sample {
    variant: Variant;
    hosts: number;
    /** Wall time of the timed window. */
    ms: number;
    /** Of which: the synchronous part (constructors), before the event loop drains the registrations. */
    syncMs: number;
    /** Peak resident set of the whole process (kernel's maxrss), and resident set when the clock started. */
    peakRssMB: number;
    startRssMB: number;
    /** Peak V8 heap (committed), sampled every 10 ms, at the end of the synchronous part and at the end. */
    peakHeapMB: number;
    /** Custom resources the mock monitor created (components excluded): must be equal for both variants. */
    customResources: number;
    /** sha256 of every custom resource's type, name and inputs (only with BENCH_VERIFY=1). */
    digest?: string;
    /** process.hrtime of the window in microseconds, to cut the matching part out of a --cpu-prof profile. */
    windowUs: [number, number];
}

// Committed heap, not used heap: it does not drop the moment a GC runs, so 10 ms samples catch its peak.
const heapMB = () => v8.getHeapStatistics().total_heap_size / 2 ** 20;
const rssMB = () => process.memoryUsage.rss() / 2 ** 20;
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

async function worker(variant: Variant, hosts: number): Promise<Sample> {
    const verify = process.env.BENCH_VERIFY === "1";
    const lines: string[] = [];
    let customResources = 0;
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                if (args.custom) customResources++;
                if (verify && args.custom) lines.push(`${args.type} ${args.name} ${JSON.stringify(args.inputs)}`);
                return { id: args.custom ? `${args.name}-id` : undefined, state: args.inputs };
            },
            call: () => ({}),
        },
        "project",
        "stack",
        false,
    );
    const args = benchArgs(hosts);
    const plan = variant === "baseline" ? buildPlan(validateArgs("egress", args)) : undefined;
    const waitForRPCs = (require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> }).waitForRPCs;

    // Same heap state for both variants when the clock starts.
    (global as any).gc?.();
    const startRssMB = rssMB();
    let peakHeapMB = heapMB();
    const sampler = setInterval(() => (peakHeapMB = Math.max(peakHeapMB, heapMB())), 10);

    const t0 = process.hrtime.bigint();
    const startUs = nowUs();
    let registered: () => pulumi.Resource[];
    if (plan) {
        // The baseline program, written the way a plain Pulumi program would declare these objects: inline, no
        // helper functions. (Pulumi captures and source-maps the call stack some twenty times per resource, so
        // every extra frame between the program and the resource constructor costs time; see BENCHMARKS.md.)
        const created = new Map<string, pulumi.Resource>();
        const owner = `${pulumi.getProject()}/${pulumi.getStack()}/egress`;
        for (const { key, resourceName, manifest, dependsOn } of plan.objects) {
            const Kind = kindClass(manifest);
            const opts = { dependsOn: dependsOn.map((k) => created.get(k)!) };
            // MeshEgress records its objects' owner and applies them with force (see meshEgress.ts); so does a
            // careful hand-written program, under the same names.
            const annotations = {
                ...manifest.metadata.annotations,
                [OWNER_ANNOTATION]: owner,
                "pulumi.com/patchForce": "true",
            };
            const forced = { ...manifest, metadata: { ...manifest.metadata, annotations } };
            created.set(key, new Kind(resourceName, forced, opts));
        }
        const policy = new MeshConfigOutboundMode(
            "egress-outbound-policy",
            {
                ...plan.meshConfigEdit!,
                owner,
                kubeconfig: undefined,
                context: undefined,
            },
            { dependsOn: [...created.values()] },
        );
        registered = () => [...created.values(), policy];
    } else {
        const component = new MeshEgress("egress", args);
        // Pulumi's own record of a component's children; only read for the verification below.
        registered = () => [...((component as any).__childResources ?? [])];
    }
    const t1 = process.hrtime.bigint();
    peakHeapMB = Math.max(peakHeapMB, heapMB());
    await waitForRPCs();
    const t2 = process.hrtime.bigint();
    const endUs = nowUs();

    clearInterval(sampler);
    peakHeapMB = Math.max(peakHeapMB, heapMB());
    // The class of every resource must match too: a typed class and a CustomResource can send the same inputs.
    if (verify) for (const r of registered()) lines.push(`class ${(r as any).__name} ${r.constructor.name}`);
    const digest = verify
        ? require("node:crypto").createHash("sha256").update(lines.sort().join("\n")).digest("hex")
        : undefined;
    return {
        variant,
        hosts,
        ms: Number(t2 - t0) / 1e6,
        syncMs: Number(t1 - t0) / 1e6,
        peakRssMB: process.resourceUsage().maxRSS / 1024,
        startRssMB,
        peakHeapMB,
        customResources,
        digest,
        windowUs: [startUs, endUs],
    };
}

function spawnWorker(variant: Variant, hosts: number, env: NodeJS.ProcessEnv = process.env): Sample {
    const out = execFileSync(process.execPath, [...nodeArgs(__filename), "worker", variant, String(hosts)], {
        encoding: "utf8",
        env,
    });
    return JSON.parse(out.trim().split("\n").pop()!);
}

const f = (x: number, digits = 1) => x.toFixed(digits);

async function driver(smoke: boolean, checked: string): Promise<void> {
    // More repeats where runs are short and noise is relatively large.
    const plan: [number, number][] = smoke
        ? [[20, 1]]
        : [
              [10, 15],
              [100, 11],
              [1000, 7],
              [2000, 7],
          ];
    const load = [os.loadavg()[0]];
    const rows: string[] = [];
    const medians = new Map<string, number>();
    for (const [hosts, repeats] of plan) {
        const samples: Record<Variant, Sample[]> = { mesh: [], baseline: [] };
        for (let r = 0; r < repeats; r++) {
            // Alternate which variant goes first, so drift in machine load hits both alike.
            const order: Variant[] = r % 2 ? ["baseline", "mesh"] : ["mesh", "baseline"];
            for (const variant of order) {
                const sample = spawnWorker(variant, hosts);
                samples[variant].push(sample);
                // Progress on stderr; stdout is the Markdown report.
                console.error(`  ${hosts} hosts, run ${r + 1}/${repeats}, ${variant}: ${f(sample.ms, 0)} ms`);
            }
        }
        const [m, b] = [samples.mesh, samples.baseline];
        if (m[0].customResources !== b[0].customResources) {
            throw new Error(
                `N=${hosts}: MeshEgress created ${m[0].customResources} resources, baseline ${b[0].customResources}`,
            );
        }
        const med = (s: Sample[], k: keyof Sample) => median(s.map((x) => x[k] as number));
        medians.set(`mesh ${hosts}`, med(m, "ms"));
        medians.set(`baseline ${hosts}`, med(b, "ms"));
        // Each repeat ran the two variants back to back, so their ratio is the least disturbed by load drift.
        const paired = m.map((x, i) => x.ms / b[i].ms).sort((x, y) => x - y);
        rows.push(
            `| ${hosts} | ${m[0].customResources} | ${repeats} | ${f(med(m, "ms"))} | ${f(med(b, "ms"))} | ` +
                `**${f(med(m, "ms") / med(b, "ms"), 3)}** | ${f(med(m, "syncMs"))} / ${f(med(b, "syncMs"))} | ` +
                `${f(med(m, "peakRssMB"), 0)} / ${f(med(b, "peakRssMB"), 0)} | ` +
                `${f(med(m, "peakHeapMB"), 0)} / ${f(med(b, "peakHeapMB"), 0)} | ` +
                `${f(paired[0], 2)} – ${f(median(paired), 2)} – ${f(paired[paired.length - 1], 2)} |`,
        );
    }
    load.push(os.loadavg()[0]);

    const lines = [
        "#### MeshEgress vs baseline",
        "",
        `Medians over fresh processes (load average ${f(load[0], 2)} before, ${f(load[1], 2)} after). ${checked}`,
        'Times in ms; memory in MB; "a / b" is MeshEgress / baseline. "ratio" is the ratio of the medians;',
        '"paired ratios" are min – median – max of MeshEgress/baseline within each repeat (the two ran back to back).',
        "",
        "| hosts | custom resources | runs | MeshEgress ms | baseline ms | ratio | sync part ms | peak RSS MB | peak heap MB | paired ratios |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ...rows,
    ];
    if (!smoke) {
        const ratio1000 = medians.get("mesh 1000")! / medians.get("baseline 1000")!;
        const scaleMesh = medians.get("mesh 2000")! / medians.get("mesh 1000")!;
        const scaleBase = medians.get("baseline 2000")! / medians.get("baseline 1000")!;
        const verdict = (ok: boolean) => (ok ? "**met**" : "**not met**");
        lines.push(
            "",
            `Scaling t(2000)/t(1000): MeshEgress ${f(scaleMesh, 2)}, baseline ${f(scaleBase, 2)}.`,
            "",
            "| target | measured | verdict |",
            "|---|---:|---|",
            `| construction overhead ≤ 1.05× baseline at 1,000 hosts | ${f(ratio1000, 3)}× | ${verdict(ratio1000 <= 1.05)} |`,
            `| MeshEgress t(2,000)/t(1,000) ≤ 2.1 | ${f(scaleMesh, 2)} | ${verdict(scaleMesh <= 2.1)} |`,
        );
    }
    console.log(lines.join("\n"));
}

/** Both variants must register the same custom resources with the same types, names and inputs. */
function verify(hosts: number): string {
    const env = { ...process.env, BENCH_VERIFY: "1" };
    const [m, b] = [spawnWorker("mesh", hosts, env), spawnWorker("baseline", hosts, env)];
    if (m.digest !== b.digest || m.customResources !== b.customResources) {
        throw new Error(`MeshEgress and baseline register different resources at N=${hosts}`);
    }
    return (
        `Checked first: at ${hosts} hosts both variants register the same ${m.customResources} custom resources ` +
        "(types, names, inputs and classes identical)."
    );
}

async function main(argv: string[]): Promise<void> {
    if (argv[0] === "worker") {
        const sample = await worker(argv[1] as Variant, Number(argv[2]));
        process.stdout.write(`${JSON.stringify(sample)}\n`);
        return;
    }
    const smoke = argv.includes("--smoke");
    const checked = verify(smoke ? 20 : 100);
    await driver(smoke, checked);
}

if (require.main === module) {
    main(process.argv.slice(2)).catch((err) => {
        console.error(err);
        process.exit(1);
    });
}
