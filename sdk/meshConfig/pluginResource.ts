// The mesh config edit as a resource of mesh-egress's own provider plugin (sdk/provider), for MeshEgress constructed
// inside that plugin. The dynamic resource in resource.ts cannot be used there: the engine starts Node.js dynamic
// providers in the *program's* directory, which has no node_modules when the program is YAML, Python or Go
// (pulumi/pulumi#5455). Both run the same lifecycle (outboundModeProvider).
import * as pulumi from "@pulumi/pulumi";
import { packageVersion } from "../packageInfo";
import type { MeshConfigOutboundModeArgs } from "./resource";

/** Type token of the plugin-served resource. */
export const MESH_CONFIG_OUTBOUND_MODE_TYPE = "mesh-egress:index:MeshConfigOutboundMode";

/** `outboundTrafficPolicy.mode` of a live mesh config, served by mesh-egress's provider plugin. */
export class PluginMeshConfigOutboundMode extends pulumi.CustomResource {
    declare public readonly mode: pulumi.Output<string>;
    declare public readonly previousMode: pulumi.Output<string>;

    constructor(name: string, args: MeshConfigOutboundModeArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            MESH_CONFIG_OUTBOUND_MODE_TYPE,
            name,
            { ...args, previousMode: undefined },
            // The version makes the engine use the provider that constructs MeshEgress, not a second default one.
            { ...opts, additionalSecretOutputs: ["kubeconfig"], version: packageVersion() },
        );
    }
}
