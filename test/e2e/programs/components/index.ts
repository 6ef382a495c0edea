// Many MeshEgress components in one Pulumi program, each from a (name, arguments) case of a JSON file: the program
// of the engine invariant (test/e2e/engine.e2e.spec.ts). With `renderDir` set, the Kubernetes objects go to files
// (the provider's renderYamlToDirectory) instead of a cluster.
import * as fs from "node:fs";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { MeshEgress, MeshEgressArgs } from "../../../..";

const config = new pulumi.Config();
const cases: { name: string; args: MeshEgressArgs }[] = JSON.parse(fs.readFileSync(config.require("cases"), "utf8"));
const renderDir = config.get("renderDir");
const provider = renderDir ? new k8s.Provider("render", { renderYamlToDirectory: renderDir }) : undefined;

for (const { name, args } of cases) new MeshEgress(name, args, { provider });
