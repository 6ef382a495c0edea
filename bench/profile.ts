// Where construction time goes: runs one MeshEgress and one baseline worker (construct.ts) under
// `node --cpu-prof` and summarises the timed window of each profile (module loading and setMocks cut away).
//
//   profile.ts [hosts]        default 2000
//
// The worker reports its window as process.hrtime microseconds; the profile's timestamps are microseconds of the
// same monotonic clock, so samples can be matched to it.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Sample } from "./construct";
import { nodeArgs } from "./scenario";

interface ProfileNode {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
}
interface Profile {
    nodes: ProfileNode[];
    startTime: number;
    samples: number[];
    timeDeltas: number[];
}

const SDK = "mesh-egress sdk/";
/** Code that time is charged to: dependencies, Node.js and V8 work count for the nearest of these on the stack. */
const FIRST_PARTY = [SDK, "@pulumi/pulumi", "@pulumi/kubernetes", "bench harness"];

/** Which code a frame belongs to, by its script's URL. */
function owner(url: string, functionName: string): string {
    if (url.includes("/node_modules/@pulumi/pulumi/")) return "@pulumi/pulumi";
    if (url.includes("/node_modules/@pulumi/kubernetes/")) return "@pulumi/kubernetes";
    if (url.includes("/node_modules/")) return url.replace(/.*\/node_modules\/((@[^/]+\/)?[^/]+).*/, "$1");
    if (url.includes("/bench/")) return "bench harness";
    if (url.includes("/sdk/")) return SDK;
    if (url.startsWith("node:")) return "Node.js internals";
    if (functionName === "(garbage collector)") return "garbage collector";
    return "V8 / native";
}

interface Summary {
    busyUs: number;
    selfByOwner: Map<string, number>;
    chargedByOwner: Map<string, number>;
    selfByFunction: Map<string, { us: number; owner: string }>;
    sdkInclusive: Map<string, number>;
}

function add<K>(map: Map<K, number>, key: K, us: number): void {
    map.set(key, (map.get(key) ?? 0) + us);
}

function analyse(profile: Profile, [fromUs, toUs]: [number, number]): Summary {
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const ownerOf = (n: ProfileNode) => owner(n.callFrame.url, n.callFrame.functionName);
    const label = (n: ProfileNode) => {
        const { functionName, url, lineNumber } = n.callFrame;
        const file = url
            .replace(/^file:\/\//, "")
            .replace(/.*\/node_modules\//, "")
            .replace(/^.*\/(sdk|bench)\//, "$1/");
        return `${functionName || "(anonymous)"}${url ? ` ${file}:${lineNumber + 1}` : ""}`;
    };
    const s: Summary = {
        busyUs: 0,
        selfByOwner: new Map(),
        chargedByOwner: new Map(),
        selfByFunction: new Map(),
        sdkInclusive: new Map(),
    };
    let t = profile.startTime;
    profile.samples.forEach((id, i) => {
        t += profile.timeDeltas[i];
        // A sample stands for the time until the next one.
        const us = profile.timeDeltas[i + 1] ?? 0;
        const node = byId.get(id)!;
        if (t < fromUs || t > toUs || node.callFrame.functionName === "(idle)") return;
        s.busyUs += us;
        const self = ownerOf(node);
        add(s.selfByOwner, self, us);
        const fn = s.selfByFunction.get(label(node)) ?? { us: 0, owner: self };
        fn.us += us;
        s.selfByFunction.set(label(node), fn);

        let charged: string | undefined;
        const sdkFrames = new Set<string>();
        for (let n: ProfileNode | undefined = node; n; n = byId.get(parent.get(n.id)!)) {
            const who = ownerOf(n);
            if (!charged && FIRST_PARTY.includes(who)) charged = who;
            if (who === SDK) sdkFrames.add(label(n));
        }
        add(s.chargedByOwner, charged ?? self, us);
        for (const f of sdkFrames) add(s.sdkInclusive, f, us);
    });
    return s;
}

function profiledWorker(variant: string, hosts: number, dir: string): { sample: Sample; summary: Summary } {
    const out = execFileSync(
        process.execPath,
        [
            ...nodeArgs(path.join(__dirname, "construct.ts"), "--cpu-prof", `--cpu-prof-dir=${dir}/${variant}`),
            "worker",
            variant,
            String(hosts),
        ],
        { encoding: "utf8" },
    );
    const sample: Sample = JSON.parse(out.trim().split("\n").pop()!);
    const [file] = fs.readdirSync(`${dir}/${variant}`);
    const profile: Profile = JSON.parse(fs.readFileSync(`${dir}/${variant}/${file}`, "utf8"));
    return { sample, summary: analyse(profile, sample.windowUs) };
}

const ms = (us: number | undefined) => ((us ?? 0) / 1000).toFixed(0);
const share = (us: number, total: number) => `${((100 * us) / total).toFixed(1)}%`;

function report(hosts: number, mesh: Summary, base: Summary, meshMs: number, baseMs: number): string[] {
    const owners = [...new Set([...mesh.chargedByOwner.keys(), ...base.chargedByOwner.keys()])].sort(
        (a, b) => (mesh.chargedByOwner.get(b) ?? 0) - (mesh.chargedByOwner.get(a) ?? 0),
    );
    const selfOwners = [...mesh.selfByOwner].sort((a, b) => b[1] - a[1]).slice(0, 10);
    return [
        `#### CPU profile at ${hosts} hosts (\`node --cpu-prof\`, timed window only)`,
        "",
        `One profiled run each (profiling slows runs down): MeshEgress ${meshMs.toFixed(0)} ms wall, ` +
            `${ms(mesh.busyUs)} ms busy; baseline ${baseMs.toFixed(0)} ms wall, ${ms(base.busyUs)} ms busy. ` +
            "Single runs: the difference column shows where time goes, not how much more MeshEgress costs (the " +
            "construction table measures that).",
        "",
        "Time charged to the nearest first-party frame on the stack (dependencies, Node.js and V8 work count for",
        "the sdk/ or @pulumi/* function that called them; garbage collection and bare event-loop work stay apart):",
        "",
        "| charged to | MeshEgress ms | share | baseline ms | MeshEgress − baseline ms |",
        "|---|---:|---:|---:|---:|",
        ...owners.map((o) => {
            const [m, b] = [mesh.chargedByOwner.get(o) ?? 0, base.chargedByOwner.get(o) ?? 0];
            return `| ${o} | ${ms(m)} | ${share(m, mesh.busyUs)} | ${ms(b)} | ${ms(m - b)} |`;
        }),
        "",
        "MeshEgress run, self time by the code that actually ran:",
        "",
        "| code | self ms | share |",
        "|---|---:|---:|",
        ...selfOwners.map(([o, us]) => `| ${o} | ${ms(us)} | ${share(us, mesh.busyUs)} |`),
        "",
        "MeshEgress run, top 15 functions by self time:",
        "",
        "| function (file:line) | code | self ms | share |",
        "|---|---|---:|---:|",
        ...[...mesh.selfByFunction]
            .sort((a, b) => b[1].us - a[1].us)
            .slice(0, 15)
            .map(([f, v]) => `| \`${f}\` | ${v.owner} | ${ms(v.us)} | ${share(v.us, mesh.busyUs)} |`),
        "",
        "MeshEgress run, sdk/ functions by inclusive time (the constructor includes every child's registration):",
        "",
        "| sdk/ function | inclusive ms | share |",
        "|---|---:|---:|",
        ...[...mesh.sdkInclusive]
            .sort((a, b) => b[1] - a[1])
            .slice(0, 12)
            .map(([f, us]) => `| \`${f}\` | ${ms(us)} | ${share(us, mesh.busyUs)} |`),
    ];
}

if (require.main === module) {
    const hosts = Number(process.argv[2] ?? 2000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-prof-"));
    try {
        const mesh = profiledWorker("mesh", hosts, dir);
        const base = profiledWorker("baseline", hosts, dir);
        console.log(report(hosts, mesh.summary, base.summary, mesh.sample.ms, base.sample.ms).join("\n"));
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
