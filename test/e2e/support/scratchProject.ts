// A Pulumi project in a scratch directory whose `main` is a program of the repository: the CLI writes its stack files
// there, never into the repository (as bench/engine does).
import { Stack } from "@pulumi/pulumi/automation";
import * as fs from "node:fs";
import * as path from "node:path";
import { programStack } from "./stack";
import { Toolchain } from "./toolchain";

export async function scratchStack(
    tools: Toolchain,
    workHome: string,
    program: string,
    stackName: string,
    env: Record<string, string>,
): Promise<Stack> {
    const project = path.join(workHome, "projects", path.basename(program));
    fs.mkdirSync(project, { recursive: true });
    const name = `mesh-egress-${path.basename(program)}`;
    fs.writeFileSync(
        path.join(project, "Pulumi.yaml"),
        `name: ${name}\nruntime: nodejs\nmain: ${path.relative(project, program)}\n`,
    );
    return programStack(tools, workHome, project, stackName, {
        // The CLI looks for a tsconfig only in the project directory: name the program's own.
        PULUMI_NODEJS_TSCONFIG_PATH: path.join(program, "tsconfig.json"),
        ...env,
    });
}
