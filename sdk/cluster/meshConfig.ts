// The mesh config ConfigMap of a live cluster, for the edit's lifecycle: loaded at run time by the dynamic provider
// (through sdk/meshConfig/live.ts, the path its state records) and by the plugin.
import { ClusterAccess, KubeApi, connect, unexpectedAnswer } from "./kubeApi";
import {
    ConfigMapState,
    ConfigMapStore,
    LiveMode,
    MeshConfigTarget,
    PriorClaim,
    claimMode,
    driftMessage,
    observeMode,
    releaseMode,
    releaseWarning,
} from "./ownership";

/** Where the edit applies and with which credentials. */
export type LiveTarget = MeshConfigTarget & ClusterAccess;

function path(target: MeshConfigTarget): string {
    return `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/configmaps/${encodeURIComponent(target.configMapName)}`;
}

/** The store of one cluster's ConfigMaps. */
export function apiStore(api: KubeApi): ConfigMapStore {
    const describe = (target: MeshConfigTarget) =>
        `ConfigMap ${target.namespace}/${target.configMapName} at ${api.server} (${api.source})`;
    return {
        describe,
        async read(target): Promise<ConfigMapState | undefined> {
            const response = await api.request("GET", path(target));
            if (response.status === 404) return undefined;
            if (response.status !== 200) throw unexpectedAnswer(api, `reading ${describe(target)}`, response);
            const { metadata, data } = response.body;
            return {
                resourceVersion: metadata.resourceVersion,
                data: data ?? {},
                annotations: metadata.annotations ?? {},
            };
        },
        async write(target, resourceVersion, data, annotations) {
            // A merge patch that names the resourceVersion it was computed from: the API server refuses it with 409
            // Conflict when the ConfigMap changed since.
            const patch = { metadata: { resourceVersion, annotations }, data };
            const response = await api.request("PATCH", path(target), patch, "application/merge-patch+json");
            if (response.status === 409) return "conflict";
            if (response.status !== 200) throw unexpectedAnswer(api, `writing ${describe(target)}`, response);
            return "written";
        },
    };
}

/** The lifecycle's operations over the store `storeFor` gives for a target. */
export function meshConfigOver(
    storeFor: (target: LiveTarget) => Promise<ConfigMapStore>,
    pause?: (ms: number) => Promise<void>,
) {
    return {
        async readLiveMode(target: LiveTarget): Promise<LiveMode> {
            return observeMode(await storeFor(target), target);
        },
        /** Why the live mesh config no longer matches what MeshEgress set, or undefined when it does. */
        async driftOf(target: LiveTarget, setMode: string, setOwner: string, nextMode: string) {
            return driftMessage(await observeMode(await storeFor(target), target), setMode, setOwner, nextMode);
        },
        async claimLiveMode(target: LiveTarget, mode: string, prior?: PriorClaim): Promise<string> {
            return claimMode(await storeFor(target), target, mode, prior, pause);
        },
        /** Gives the mode back; returns a warning for the user when it could not be restored. */
        async releaseLiveMode(target: LiveTarget, mode: string, previous: string): Promise<string | undefined> {
            const store = await storeFor(target);
            return releaseWarning(await releaseMode(store, target, mode, previous, pause), store.describe(target));
        },
    };
}

export type LiveMeshConfig = ReturnType<typeof meshConfigOver>;

export const { readLiveMode, driftOf, claimLiveMode, releaseLiveMode } = meshConfigOver(async (target) =>
    apiStore(await connect(target)),
);
