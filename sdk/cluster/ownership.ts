// How MeshEgress takes, keeps and gives back `outboundTrafficPolicy.mode` in a mesh config ConfigMap that other tools
// (Helm, istioctl, a managed control plane's console) also write:
// - The mode before MeshEgress, and who took it, are recorded in an annotation of the ConfigMap itself, written in
//   the same guarded write as the mode. A create that is interrupted after that write, and then run again, finds the
//   record and keeps the original mode, so destroy gives back what was there before MeshEgress, not its own mode.
// - Every write is guarded by the resourceVersion it read (optimistic concurrency): when another writer gets in
//   between, MeshEgress reads again and re-applies its one-field change on top of theirs, a bounded number of times.
import { readOutboundMode, withOutboundMode } from "./meshYaml";

/** The annotation on the ConfigMap that records MeshEgress's ownership of the mode. */
export const OWNER_ANNOTATION = "mesh-egress.io/outbound-mode";

/** What the annotation holds. */
export interface OwnerRecord {
    /** `<project>/<stack>/<component>` of the MeshEgress that set the mode. */
    owner: string;
    /** The ConfigMap key whose mesh config was edited. */
    key: string;
    /** The mode before MeshEgress set it; null when the mesh config set none. */
    previous: string | null;
}

export interface MeshConfigTarget {
    namespace: string;
    configMapName: string;
    key: string;
    /** Who edits: `<project>/<stack>/<component>`. */
    owner: string;
}

/** A ConfigMap as the edit needs it. */
export interface ConfigMapState {
    resourceVersion: string;
    data: Record<string, string>;
    annotations: Record<string, string>;
}

/** Reads and writes one ConfigMap; `write` answers "conflict" when the resourceVersion is no longer current. */
export interface ConfigMapStore {
    /** Describes the ConfigMap and its cluster for messages, e.g. `ConfigMap istio-system/istio at https://…`. */
    describe(target: MeshConfigTarget): string;
    read(target: MeshConfigTarget): Promise<ConfigMapState | undefined>;
    write(
        target: MeshConfigTarget,
        resourceVersion: string,
        data: Record<string, string>,
        annotations: Record<string, string | null>,
    ): Promise<"written" | "conflict">;
}

/** How many times a write is tried when other writers keep getting in between. */
export const MAX_ATTEMPTS = 6;

/** The change to write (absent: nothing to write) and what to return once it is written. */
interface Edit<T> {
    mesh?: string;
    record?: OwnerRecord | null;
    result: T;
}

function parseRecord(state: ConfigMapState): OwnerRecord | undefined {
    const text = state.annotations[OWNER_ANNOTATION];
    if (text === undefined) return undefined;
    try {
        const record = JSON.parse(text);
        if (typeof record?.owner === "string" && typeof record?.key === "string") return record;
    } catch {
        // Not ours to interpret: treated as another owner's below.
    }
    return { owner: text, key: "", previous: null };
}

export interface LiveMode {
    exists: boolean;
    /** The live mode; undefined when the mesh config sets none. */
    mode?: string;
    record?: OwnerRecord;
}

export async function observeMode(store: ConfigMapStore, target: MeshConfigTarget): Promise<LiveMode> {
    const state = await store.read(target);
    if (!state) return { exists: false };
    const mesh = state.data[target.key];
    return { exists: true, mode: mesh === undefined ? undefined : readOutboundMode(mesh), record: parseRecord(state) };
}

function notOurs(store: ConfigMapStore, target: MeshConfigTarget, record: OwnerRecord): Error {
    return new Error(
        `${store.describe(target)}: outboundTrafficPolicy.mode is already managed by another MeshEgress ` +
            `(${record.owner}, annotation ${OWNER_ANNOTATION}); a mesh config has one owner. If that stack is ` +
            `gone, remove the annotation: kubectl annotate configmap -n ${target.namespace} ${target.configMapName} ` +
            `${OWNER_ANNOTATION}-`,
    );
}

/** Runs a guarded read-change-write, re-reading when another writer got in between. */
async function guardedEdit<T>(
    store: ConfigMapStore,
    target: MeshConfigTarget,
    change: (state: ConfigMapState | undefined) => Edit<T>,
    pause: (ms: number) => Promise<void>,
): Promise<T> {
    for (let attempt = 1; ; attempt++) {
        const state = await store.read(target);
        const edit = change(state);
        if (!state || (edit.mesh === undefined && edit.record === undefined)) return edit.result;
        const data = edit.mesh === undefined ? {} : { [target.key]: edit.mesh };
        const annotations: Record<string, string | null> =
            edit.record === undefined ? {} : { [OWNER_ANNOTATION]: edit.record && JSON.stringify(edit.record) };
        if ((await store.write(target, state.resourceVersion, data, annotations)) === "written") return edit.result;
        if (attempt === MAX_ATTEMPTS) {
            throw new Error(
                `${store.describe(target)} changed ${MAX_ATTEMPTS} times while MeshEgress was writing ` +
                    "outboundTrafficPolicy.mode: another tool keeps writing it. Nothing was written; run the command " +
                    "again once that tool is done",
            );
        }
        await pause(50 * 2 ** attempt);
    }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function meshOf(store: ConfigMapStore, target: MeshConfigTarget, state: ConfigMapState | undefined): string {
    if (!state) {
        throw new Error(
            `${store.describe(target)} does not exist: is Istio installed there (and is istio.revision right)? ` +
                'For a mesh whose config is not in the cluster, use outboundTrafficPolicy.target "ROOT_NAMESPACE_SIDECAR".',
        );
    }
    const mesh = state.data[target.key];
    if (mesh === undefined) throw new Error(`${store.describe(target)} has no "${target.key}" key`);
    return mesh;
}

/**
 * The mesh config and ownership record MeshEgress would claim; throws when the ConfigMap or its key is missing or
 * another MeshEgress owns the mode.
 */
export function assertClaimable(
    store: ConfigMapStore,
    target: MeshConfigTarget,
    state: ConfigMapState | undefined,
    formerOwner?: string,
): { mesh: string; record?: OwnerRecord } {
    const mesh = meshOf(store, target, state);
    const record = parseRecord(state!);
    const ours = !record || record.owner === target.owner || record.owner === formerOwner;
    if (!ours || (record && record.key !== target.key)) throw notOurs(store, target, record!);
    return { mesh, record };
}

/** What MeshEgress already knows when it claims the mode again (an update). */
export interface PriorClaim {
    /** The owner name recorded before (it changes with the stack's or component's name). */
    owner: string;
    /** The previous mode recorded in Pulumi's state ("" for none). */
    previous: string;
}

/**
 * Sets the mode and records the owner; returns the mode before MeshEgress ("" when none was set). The previous mode
 * comes from the record when one is there (that of an interrupted create, or of this owner), else from the prior
 * claim in Pulumi's state, else from the live mesh config.
 */
export function claimMode(
    store: ConfigMapStore,
    target: MeshConfigTarget,
    mode: string,
    prior?: PriorClaim,
    pause: (ms: number) => Promise<void> = sleep,
): Promise<string> {
    return guardedEdit(
        store,
        target,
        (state) => {
            const { mesh, record } = assertClaimable(store, target, state, prior?.owner);
            const previous = record
                ? record.previous
                : prior
                  ? prior.previous || null
                  : (readOutboundMode(mesh) ?? null);
            const wanted: OwnerRecord = { owner: target.owner, key: target.key, previous };
            const updated = withOutboundMode(mesh, mode);
            const sameRecord = JSON.stringify(record) === JSON.stringify(wanted);
            return {
                mesh: updated === mesh ? undefined : updated,
                record: sameRecord ? undefined : wanted,
                result: previous ?? "",
            };
        },
        pause,
    );
}

/** What giving the mode back did, for the user. */
export type ReleaseOutcome = "restored" | "changed-by-someone-else" | "config-map-gone" | "key-gone";

/**
 * Gives the mode back: restores the previous mode if the live mode is still the one MeshEgress set (someone else's
 * later choice stands), and removes the record.
 */
export function releaseMode(
    store: ConfigMapStore,
    target: MeshConfigTarget,
    mode: string,
    previousFromState: string,
    pause: (ms: number) => Promise<void> = sleep,
): Promise<ReleaseOutcome> {
    return guardedEdit<ReleaseOutcome>(
        store,
        target,
        (state) => {
            if (!state) return { result: "config-map-gone" };
            const record = parseRecord(state);
            const ownRecord = record?.owner === target.owner ? record : undefined;
            const dropRecord = ownRecord ? { record: null } : {};
            const mesh = state.data[target.key];
            if (mesh === undefined) return { ...dropRecord, result: "key-gone" };
            if ((readOutboundMode(mesh) ?? "") !== mode) return { ...dropRecord, result: "changed-by-someone-else" };
            const previous = ownRecord ? ownRecord.previous : previousFromState || null;
            const restored = withOutboundMode(mesh, previous ?? undefined);
            return { ...dropRecord, mesh: restored === mesh ? undefined : restored, result: "restored" };
        },
        pause,
    );
}

const RELEASE_WARNINGS: Record<ReleaseOutcome, ((where: string) => string) | undefined> = {
    restored: undefined,
    "changed-by-someone-else": (where) =>
        `${where}: outboundTrafficPolicy.mode was changed by someone else since MeshEgress set it; their choice stands`,
    "config-map-gone": (where) => `${where} is gone (Istio uninstalled?): there is no mesh config to restore`,
    "key-gone": (where) => `${where} has no mesh config key any more: there is no mode to restore`,
};

/** What the user must hear about a release, or undefined when the previous mode was restored. */
export function releaseWarning(outcome: ReleaseOutcome, where: string): string | undefined {
    return RELEASE_WARNINGS[outcome]?.(where);
}

/** Why the live mesh config no longer matches what MeshEgress set, or undefined when it does. */
export function driftMessage(live: LiveMode, setMode: string, setOwner: string, nextMode: string): string | undefined {
    // A missing ConfigMap is not drift to repair: the update fails with the missing ConfigMap's message.
    if (!live.exists) return undefined;
    if ((live.mode ?? "") !== setMode) {
        return `live mode is ${live.mode ?? "unset"}, not ${setMode} (changed outside Pulumi, e.g. by an Istio upgrade): up sets ${nextMode} again`;
    }
    if (live.record?.owner !== setOwner) {
        return `the live ConfigMap lost its ${OWNER_ANNOTATION} annotation: up writes it again`;
    }
    return undefined;
}
