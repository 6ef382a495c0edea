// What the benchmark driver (bench/engine/run.ts) gives the program: a JSON file named by the stack's `input` config.
// Keeping the hosts in a file rather than in stack config means an edit changes only the file: changing config would
// also update the dynamic-provider host's default provider, a step that has nothing to do with MeshEgress.
import * as fs from "node:fs";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { MeshEgressArgs } from "../../..";
import type { MeshConfigEdit, PlannedObject } from "../../../sdk/plan";

export interface ProgramInput {
    variant: "mesh" | "baseline";
    /** Render manifests into this directory (the provider's renderYamlToDirectory) instead of using a cluster. */
    renderDir?: string;
    /** The component's arguments (the MeshEgress program). */
    args: MeshEgressArgs;
    /** `buildPlan(validateArgs("egress", args))`, computed by the driver (the baseline program has no plan). */
    plan?: { objects: PlannedObject[]; meshConfigEdit: MeshConfigEdit };
}

export const input: ProgramInput = JSON.parse(fs.readFileSync(new pulumi.Config().require("input"), "utf8"));

/** Both programs give every Kubernetes object this provider: render mode's, or the default one ($KUBECONFIG). */
export const provider = input.renderDir
    ? new k8s.Provider("render", { renderYamlToDirectory: input.renderDir })
    : undefined;
