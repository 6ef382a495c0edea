#!/usr/bin/env node
// Entry point of mesh-egress's provider plugin, and nothing else: the `pulumi-resource-mesh-egress` executable and
// package.json's `bin` run it, and so does Pulumi's plugin runner for the source-based package (see index.ts).
// Importing the package never runs it.
import * as pulumi from "@pulumi/pulumi";
import { setMeshConfigEditServedByPlugin } from "../meshConfig/edit";
import { MeshEgressProvider } from "./provider";

setMeshConfigEditServedByPlugin(true);
pulumi.provider.main(new MeshEgressProvider(), process.argv.slice(2));

// The engine starts this plugin and stops it when done; an engine killed (SIGKILL, a lost CI runner) cannot, so
// the plugin leaves when its parent does instead of lingering.
const engine = process.ppid;
setInterval(() => {
    if (process.ppid !== engine) process.exit(0);
}, 1000).unref();
