// The mesh config edit as the resource that can run where MeshEgress is constructed: in a TypeScript program, the
// Node.js dynamic resource (resource.ts); inside mesh-egress's own provider plugin (a program in another language),
// the resource that plugin serves (pluginResource.ts), because the engine cannot start a Node.js dynamic provider
// for a YAML, Python or Go program (pulumi/pulumi#5455). Both run the same lifecycle.
import * as pulumi from "@pulumi/pulumi";
import { PluginMeshConfigOutboundMode } from "./pluginResource";
import { MeshConfigOutboundMode, MeshConfigOutboundModeArgs } from "./resource";

let servedByPlugin = false;

/** Called once by the plugin's entry point, before it serves any request (and by tests). */
export function setMeshConfigEditServedByPlugin(served: boolean): void {
    servedByPlugin = served;
}

export function newMeshConfigEdit(
    name: string,
    args: MeshConfigOutboundModeArgs,
    opts: pulumi.CustomResourceOptions,
): pulumi.CustomResource {
    return servedByPlugin
        ? new PluginMeshConfigOutboundMode(name, args, opts)
        : new MeshConfigOutboundMode(name, args, opts);
}
