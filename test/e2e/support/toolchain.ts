// The real tools that tools/build.sh built (Pulumi CLI and plugins, kube-apiserver, etcd, istioctl, pilot-discovery,
// pilot-agent, Envoy), and an environment in which Pulumi runs offline against a file backend.
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export const REPO = path.resolve(__dirname, "..", "..", "..");

/** Reads what tools/env.sh exports, so the tests use exactly what the README's commands use. */
function toolsEnv(): Record<string, string> {
    const script = `. "${path.join(REPO, "tools", "env.sh")}" && env -0`;
    const output = execFileSync("bash", ["-c", script], { encoding: "utf8" });
    return Object.fromEntries(
        output
            .split("\0")
            .filter((line) => line.includes("="))
            .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
}

/** What tools/build.sh puts into its bin directory and the tests use. */
const TOOLS = [
    "pulumi",
    "pulumi-language-nodejs",
    "pulumi-language-yaml",
    "pulumi-language-python",
    "pulumi-language-python-exec",
    "pulumi-gen-sdk",
    "pulumi-resource-kubernetes",
    "kube-apiserver",
    "etcd",
    "istioctl",
    "pilot-discovery",
    "pilot-agent",
    "envoy",
];

export interface Toolchain {
    bin: string;
    /** Directory whose bin/ holds `pulumi` (what the Automation API's PulumiCommand.get wants). */
    pulumiRoot: string;
    env: Record<string, string>;
}

export function toolchain(): Toolchain {
    // The Automation API passes this process's environment on to Pulumi: the test runner's ts-node settings
    // (already applied here) must not reach the Pulumi program's own ts-node.
    for (const name of Object.keys(process.env).filter((key) => key.startsWith("TS_NODE_"))) delete process.env[name];
    const env = toolsEnv();
    const bin = env.MESH_EGRESS_TOOLS_BIN;
    for (const tool of TOOLS) {
        if (!fs.existsSync(path.join(bin, tool))) {
            throw new Error(`${tool} is missing from ${bin}: run the README's install command (npm run setup)`);
        }
    }
    // Node 22 from the node devDependency must stay first for the language host.
    const nodeBin = path.dirname(process.execPath);
    env.PATH = `${nodeBin}:${env.PATH}`;
    return { bin, pulumiRoot: path.dirname(bin), env };
}

export interface Printed {
    stdout: string;
    stderr: string;
}

/** Runs a tool from the toolchain; returns what it printed, or throws with it when it exits non-zero. */
export function run(
    tools: Toolchain,
    command: string,
    args: string[],
    extraEnv: Record<string, string> = {},
    cwd?: string,
): Printed {
    const result = spawnSync(command, args, { env: { ...tools.env, ...extraEnv }, encoding: "utf8", cwd });
    const printed = { stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
    if (result.status !== 0) {
        throw new Error(`${command} ${args.join(" ")} failed (${result.status}): ${printed.stdout}${printed.stderr}`);
    }
    return printed;
}
