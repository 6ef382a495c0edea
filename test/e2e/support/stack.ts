// A stack of the examples/local program run by the real Pulumi CLI, with a file backend under `workHome`.
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO, Toolchain } from "./toolchain";

export const LOCAL_PROGRAM = path.join(REPO, "examples", "local");

export async function localStack(tools: Toolchain, workHome: string, name: string, env: Record<string, string>): Promise<Stack> {
    fs.mkdirSync(path.join(workHome, "state"), { recursive: true });
    return LocalWorkspace.createOrSelectStack(
        { stackName: name, workDir: LOCAL_PROGRAM },
        {
            pulumiCommand: await PulumiCommand.get({ root: tools.pulumiRoot, skipVersionCheck: true }),
            pulumiHome: path.join(workHome, "pulumi-home"),
            envVars: {
                ...tools.env,
                PULUMI_BACKEND_URL: `file://${path.join(workHome, "state")}`,
                PULUMI_CONFIG_PASSPHRASE: "mesh-egress-e2e",
                ...env,
            },
        },
    );
}

/** Removes the stack config files the Automation API wrote into the program directory. */
export function removeStackConfigs(): void {
    for (const file of fs.readdirSync(LOCAL_PROGRAM).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) {
        fs.rmSync(path.join(LOCAL_PROGRAM, file));
    }
}
