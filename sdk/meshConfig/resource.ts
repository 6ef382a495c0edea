// A resource that owns one field of someone else's ConfigMap: `outboundTrafficPolicy.mode` in Istio's mesh config.
// The Kubernetes provider cannot do this safely: a server-side-apply patch takes over the whole `mesh` string, and
// deleting the patch removes it. This provider edits only the mode, remembers the previous one, and restores it on
// delete. It runs in Pulumi's dynamic-provider host, which loads `live.js` from this package at run time.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { LiveMeshConfig, LiveTarget } from "../cluster/meshConfig";

/**
 * Where the compiled `live.js` is at construction time (beside this file, or in bin/ when this file runs from
 * source); a package import is the fallback when the state moves to another machine.
 */
const LIVE_MODULE =
    [path.join(__dirname, "live.js"), path.join(__dirname, "..", "..", "bin", "sdk", "meshConfig", "live.js")].find(
        (candidate) => fs.existsSync(candidate),
    ) ?? path.join(__dirname, "live.js");

function live(): LiveMeshConfig {
    try {
        return require(LIVE_MODULE);
    } catch {
        return require("mesh-egress/bin/sdk/meshConfig/live");
    }
}

interface State extends LiveTarget {
    mode: string;
    /** The mode that was set before MeshEgress changed it; "" when the mesh config did not set one. */
    previousMode: string;
    /** Set by check when the live mode is not the one MeshEgress set: what a preview shows, and why it updates. */
    drift?: string;
}

const IDENTITY = ["namespace", "configMapName", "key"] as const;

/** The dynamic provider's lifecycle over a live mesh config. */
export function outboundModeProvider(loadLive: () => LiveMeshConfig): pulumi.dynamic.ResourceProvider {
    return {
        async check(olds: State | undefined, news: State) {
            const { drift: _drift, ...inputs } = news;
            const existing = olds?.mode !== undefined && IDENTITY.every((field) => olds[field] === news[field]);
            const drift = existing ? await loadLive().driftOf(news, olds.mode, olds.owner, news.mode) : undefined;
            return { inputs: drift ? { ...inputs, drift } : inputs };
        },
        async diff(_id: string, olds: State, news: State) {
            const replaces = IDENTITY.filter((field) => olds[field] !== news[field]);
            const changed = [
                ...replaces,
                ...(["mode", "owner"] as const).filter((field) => olds[field] !== news[field]),
                ...(news.drift ? ["drift"] : []),
            ];
            return { changes: changed.length > 0, replaces, deleteBeforeReplace: true };
        },
        async create(inputs: State) {
            const { drift: _drift, ...target } = inputs;
            const previous = await loadLive().claimLiveMode(target, target.mode);
            const outs: State = { ...target, previousMode: previous };
            return { id: `${target.namespace}/${target.configMapName}/${target.key}`, outs };
        },
        async read(id: string, props: State) {
            const current = await loadLive().readLiveMode(props);
            if (!current.exists) return { id: undefined as unknown as string, props };
            return { id, props: { ...props, mode: current.mode ?? "" } };
        },
        async update(_id: string, olds: State, news: State) {
            const { drift: _drift, ...target } = news;
            const prior = { owner: olds.owner, previous: olds.previousMode };
            const previous = await loadLive().claimLiveMode(target, target.mode, prior);
            return { outs: { ...target, previousMode: previous } };
        },
        async delete(_id: string, props: State) {
            const warning = await loadLive().releaseLiveMode(props, props.mode, props.previousMode);
            // The engine shows what a provider writes, next to the resource.
            if (warning) console.warn(`warning: ${warning}`);
        },
    };
}

export interface MeshConfigOutboundModeArgs {
    namespace: pulumi.Input<string>;
    configMapName: pulumi.Input<string>;
    key: pulumi.Input<string>;
    /** `<project>/<stack>/<component>`, recorded in the ConfigMap with the previous mode. */
    owner: pulumi.Input<string>;
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
