// What both root labs share (tools/lab.sh): whether one can run here, bringing it up and down, the external servers'
// records, and the test log's indented evidence.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO, Toolchain, run, toolchain } from "./toolchain";

export const LAB = path.join(REPO, "tools", "lab.sh");

/** Pulumi's own progress and the lab's evidence, indented under the test, so a CI log shows what happened. */
let atLineStart = true;
export function echo(text: string): void {
    for (const part of text.split(/(?<=\n)/)) {
        process.stdout.write((atLineStart ? "        | " : "") + part);
        atLineStart = part.endsWith("\n");
    }
}

export function note(line: string): void {
    echo(`${atLineStart ? "" : "\n"}${line}\n`);
}

/** Why the lab cannot run on this machine, or undefined when it can. */
function labUnavailable(): string | undefined {
    if (process.platform !== "linux") return "needs Linux network namespaces";
    if (process.getuid?.() !== 0)
        return "needs root (network namespaces, iptables, switching to the proxies' UID); run npm test as root";
    const probe = `mel-probe-${process.pid}`;
    const added = spawnSync("ip", ["netns", "add", probe], { encoding: "utf8" });
    if (added.error || added.status !== 0)
        return `cannot create a network namespace: ${added.error?.message ?? added.stderr.trim()}`;
    spawnSync("ip", ["netns", "del", probe]);
    return undefined;
}

/** A running lab: the toolchain, a Pulumi home for its stacks, the lab's directory and its lab.env. */
export interface LabRun {
    tools: Toolchain;
    workHome: string;
    labDir: string;
    lab: Record<string, string>;
}

/**
 * For a suite's `before` hook: skips the suite (saying why) where no lab can run, else brings one up. The lab's
 * directory is not under the Pulumi home (mode 0700): the proxies run as UID 1337 and must reach their directories.
 */
export function startLab(suite: Mocha.Context, dataplane: "sidecar" | "ambient"): LabRun {
    const reason = labUnavailable();
    if (reason) {
        note(`skipped: the lab ${reason}`);
        suite.skip();
    }
    const tools = toolchain();
    const prefix = dataplane === "ambient" ? "mesh-egress-ambient-lab" : "mesh-egress-lab";
    const workHome = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-home-`));
    const labDir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
    const started = Date.now();
    const lab = labUp(tools, labDir, dataplane);
    note(`${dataplane} lab up in ${Math.round((Date.now() - started) / 1000)} s`);
    return { tools, workHome, labDir, lab };
}

/** `tools/lab.sh up` (with the ambient data plane's variant when asked); returns the lab's lab.env as a record. */
function labUp(tools: Toolchain, dir: string, dataplane: "sidecar" | "ambient"): Record<string, string> {
    const args = [LAB, "up", dir, ...(dataplane === "ambient" ? ["ambient"] : [])];
    const envFile = run(tools, "bash", args).stdout.trim().split("\n").pop()!;
    return Object.fromEntries(
        fs
            .readFileSync(envFile, "utf8")
            .split("\n")
            .filter((line) => line.includes("="))
            .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
}

/** `tools/lab.sh down`; a failure is noted, not thrown (it runs in `after` hooks). */
export function labDown(dir: string): void {
    const down = spawnSync("bash", [LAB, "down", dir], { encoding: "utf8" });
    if (down.status !== 0) note(`lab down failed: ${down.stderr}`);
}

/** What an external server logged for one request or connection (tools/lab/*.py). */
export interface ExtRequest {
    peer: string;
    host?: string;
    method?: string;
    path?: string;
    /** "tls" or "tcp"; absent for the plain HTTP server. */
    proto?: string;
    sni?: string | null;
    clientCert?: string | null;
    port?: number;
    /** Why a TLS handshake failed, when it did. */
    handshake?: string;
}

/** Every record the lab's external servers have written so far. */
export function extRequests(lab: Record<string, string>): ExtRequest[] {
    return fs
        .readFileSync(lab.EXT_REQUESTS, "utf8")
        .split("\n")
        .filter((line) => line.trim())
        .map((line) => JSON.parse(line) as ExtRequest);
}

export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Retries `check` until it returns a value (not undefined) or `seconds` pass; then returns undefined. */
export async function eventually<T>(
    seconds: number,
    check: () => T | undefined | Promise<T | undefined>,
): Promise<T | undefined> {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
        const value = await check();
        if (value !== undefined || Date.now() > deadline) return value;
        await sleep(500);
    }
}
