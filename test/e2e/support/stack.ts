// Stacks of Pulumi programs run by the real Pulumi CLI, with a file backend under `workHome`.
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO, Toolchain } from "./toolchain";

export const LOCAL_PROGRAM = path.join(REPO, "examples", "local");

/** A stack of the program in `workDir` (any Pulumi language). */
export async function programStack(
    tools: Toolchain,
    workHome: string,
    workDir: string,
    name: string,
    env: Record<string, string>,
): Promise<Stack> {
    fs.mkdirSync(path.join(workHome, "state"), { recursive: true });
    return LocalWorkspace.createOrSelectStack(
        { stackName: name, workDir },
        {
            pulumiCommand: await PulumiCommand.get({ root: tools.pulumiRoot, skipVersionCheck: true }),
            pulumiHome: path.join(workHome, "pulumi-home"),
            envVars: { ...tools.env, ...backendEnv(workHome), ...env },
        },
    );
}

/** The file backend and passphrase every e2e stack uses. */
export function backendEnv(workHome: string): Record<string, string> {
    return {
        PULUMI_HOME: path.join(workHome, "pulumi-home"),
        PULUMI_BACKEND_URL: `file://${path.join(workHome, "state")}`,
        PULUMI_CONFIG_PASSPHRASE: "mesh-egress-e2e",
    };
}

/** A stack of the examples/local program (MeshEgress from stack config). */
export function localStack(
    tools: Toolchain,
    workHome: string,
    name: string,
    env: Record<string, string>,
): Promise<Stack> {
    return programStack(tools, workHome, LOCAL_PROGRAM, name, env);
}

/** Removes the stack config files the Automation API wrote into the program directory. */
export function removeStackConfigs(): void {
    for (const file of fs.readdirSync(LOCAL_PROGRAM).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) {
        fs.rmSync(path.join(LOCAL_PROGRAM, file));
    }
}
