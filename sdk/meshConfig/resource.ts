// A resource that owns one field of someone else's ConfigMap: `outboundTrafficPolicy.mode` in Istio's mesh config.
// The Kubernetes provider cannot do this safely: a server-side-apply patch takes over the whole `mesh` string, and
// deleting the patch removes it. This provider edits only the mode, remembers the previous one, and restores it on
// delete. It runs in Pulumi's dynamic-provider host, which loads `live.js` from this package at run time.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { MeshConfigTarget } from "./live";

/**
 * Where the compiled `live.js` is at construction time (beside this file, or in bin/ when this file runs from
 * source); a package import is the fallback when the state moves to another machine.
 */
const LIVE_MODULE =
    [path.join(__dirname, "live.js"), path.join(__dirname, "..", "..", "bin", "sdk", "meshConfig", "live.js")].find(
        (candidate) => fs.existsSync(candidate),
    ) ?? path.join(__dirname, "live.js");

/** What the provider needs from the cluster: live.ts in production, an in-memory fake in unit tests. */
export type LiveMeshConfig = Pick<typeof import("./live"), "readLiveMode" | "writeLiveMode">;

function live(): LiveMeshConfig {
    try {
        return require(LIVE_MODULE);
    } catch {
        return require("mesh-egress/bin/sdk/meshConfig/live");
    }
}

interface State extends MeshConfigTarget {
    mode: string;
    /** The mode that was set before MeshEgress changed it; "" when the mesh config did not set one. */
    previousMode: string;
}

const IDENTITY = ["namespace", "configMapName", "key"] as const;

/** The dynamic provider's lifecycle over a live mesh config. */
export function outboundModeProvider(live: () => LiveMeshConfig): pulumi.dynamic.ResourceProvider {
    return {
        async diff(_id: string, olds: State, news: State) {
            const replaces = IDENTITY.filter((field) => olds[field] !== news[field]);
            const changed = [...replaces, ...(olds.mode !== news.mode ? ["mode"] : [])];
            return { changes: changed.length > 0, replaces, deleteBeforeReplace: true };
        },
        async create(inputs: State) {
            const previous = await live().writeLiveMode(inputs, inputs.mode);
            const outs: State = { ...inputs, previousMode: previous ?? "" };
            return { id: `${inputs.namespace}/${inputs.configMapName}/${inputs.key}`, outs };
        },
        async read(id: string, props: State) {
            const current = await live().readLiveMode(props);
            if (!current.exists) return { id: undefined as unknown as string, props };
            return { id, props: { ...props, mode: current.mode ?? "" } };
        },
        async update(_id: string, olds: State, news: State) {
            await live().writeLiveMode(news, news.mode);
            return { outs: { ...news, previousMode: olds.previousMode } };
        },
        async delete(_id: string, props: State) {
            const current = await live().readLiveMode(props);
            // Restore only what is still ours: if someone changed the mode since, their choice stands.
            if (current.exists && current.mode === props.mode) {
                await live().writeLiveMode(props, props.previousMode || undefined);
            }
        },
    };
}

export interface MeshConfigOutboundModeArgs {
    namespace: pulumi.Input<string>;
    configMapName: pulumi.Input<string>;
    key: pulumi.Input<string>;
    mode: pulumi.Input<string>;
    kubeconfig?: pulumi.Input<string>;
    context?: pulumi.Input<string>;
}

/** `outboundTrafficPolicy.mode` of a live mesh config; restores the previous mode when deleted. */
export class MeshConfigOutboundMode extends pulumi.dynamic.Resource {
    declare public readonly mode: pulumi.Output<string>;
    declare public readonly previousMode: pulumi.Output<string>;

    constructor(name: string, args: MeshConfigOutboundModeArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            outboundModeProvider(live),
            name,
            { ...args, previousMode: undefined },
            { ...opts, additionalSecretOutputs: ["kubeconfig"] },
            "mesh-egress",
            "MeshConfigOutboundMode",
        );
    }
}
