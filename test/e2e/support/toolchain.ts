// The real tools that tools/build.sh built (Pulumi CLI and plugins, kube-apiserver, etcd, istioctl), and an
// environment in which Pulumi runs offline against a file backend.
import { execFileSync } from "node:child_process";
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

export interface Toolchain {
    bin: string;
    /** Directory whose bin/ holds `pulumi` (what the Automation API's PulumiCommand.get wants). */
    pulumiRoot: string;
    env: Record<string, string>;
}

export function toolchain(): Toolchain {
    const env = toolsEnv();
    const bin = env.MESH_EGRESS_TOOLS_BIN;
    for (const tool of ["pulumi", "pulumi-language-nodejs", "pulumi-resource-kubernetes", "kube-apiserver", "etcd", "istioctl"]) {
        if (!fs.existsSync(path.join(bin, tool))) {
            throw new Error(`${tool} is missing from ${bin}: run the README's install command (npm run setup)`);
        }
    }
    // Node 22 from the node devDependency must stay first for the language host.
    const nodeBin = path.dirname(process.execPath);
    env.PATH = `${nodeBin}:${env.PATH}`;
    return { bin, pulumiRoot: path.dirname(bin), env };
}

/** Runs a tool from the toolchain; returns stdout, or throws with stderr. */
export function run(tools: Toolchain, command: string, args: string[], extraEnv: Record<string, string> = {}): string {
    try {
        return execFileSync(command, args, { env: { ...tools.env, ...extraEnv }, encoding: "utf8", stdio: "pipe" });
    } catch (error) {
        const e = error as { stderr?: string; stdout?: string; message: string };
        throw new Error(`${command} ${args.join(" ")} failed: ${e.stderr || e.stdout || e.message}`);
    }
}
