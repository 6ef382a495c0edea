// Entry point of mesh-egress's provider plugin: run by `pulumi-resource-mesh-egress` (an executable plugin) and, as
// the package's `main`, by Pulumi's Node.js plugin runner for the source-based package (PulumiPlugin.yaml).
import * as pulumi from "@pulumi/pulumi";
import { setHostedByPlugin } from "./hosting";
import { MeshEgressProvider } from "./provider";

setHostedByPlugin(true);
pulumi.provider.main(new MeshEgressProvider(), process.argv.slice(2));
