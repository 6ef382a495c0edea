// An in-memory mesh config ConfigMap with the API server's optimistic concurrency (a write names the resourceVersion
// it read and is refused when the ConfigMap changed since), for unit tests of the mesh config edit. `meanwhile` runs
// between a read and the write that follows it: another writer getting in between.
import { LiveMeshConfig, LiveTarget, meshConfigOver } from "../../sdk/cluster/meshConfig";
import { ConfigMapState, ConfigMapStore } from "../../sdk/cluster/ownership";

export const ORIGINAL_MESH = "rootNamespace: istio-system\ntrustDomain: cluster.local\n";

export interface FakeConfigMap {
    /** The ConfigMap; undefined when it does not exist. */
    state: ConfigMapState | undefined;
    /** Every target the lifecycle asked a store for. */
    targets: LiveTarget[];
    writes: number;
    conflicts: number;
    /** Called after each read, before the write that follows it. */
    meanwhile: () => void;
    store: ConfigMapStore;
    live: LiveMeshConfig;
    /** Another writer's change: bumps the resourceVersion as the API server does. */
    writeAsSomeoneElse(change: (state: ConfigMapState) => void): void;
}

/** `mesh` null: the ConfigMap does not exist. */
export function fakeConfigMap(mesh: string | null = ORIGINAL_MESH): FakeConfigMap {
    let version = 1;
    const fake: FakeConfigMap = {
        state: mesh === null ? undefined : { resourceVersion: String(version), data: { mesh }, annotations: {} },
        targets: [],
        writes: 0,
        conflicts: 0,
        meanwhile: () => {},
        store: {
            describe: (target) => `ConfigMap ${target.namespace}/${target.configMapName} at https://fake`,
            async read() {
                const copy = fake.state && structuredClone(fake.state);
                fake.meanwhile();
                return copy;
            },
            async write(_target, resourceVersion, data, annotations) {
                if (!fake.state || fake.state.resourceVersion !== resourceVersion) {
                    fake.conflicts++;
                    return "conflict";
                }
                fake.writes++;
                Object.assign(fake.state.data, data);
                for (const [name, value] of Object.entries(annotations)) {
                    if (value === null) delete fake.state.annotations[name];
                    else fake.state.annotations[name] = value;
                }
                fake.state.resourceVersion = String(++version);
                return "written";
            },
        },
        live: undefined as unknown as LiveMeshConfig,
        writeAsSomeoneElse(change) {
            change(fake.state!);
            fake.state!.resourceVersion = String(++version);
        },
    };
    fake.live = meshConfigOver(
        async (target) => {
            fake.targets.push(target);
            return fake.store;
        },
        async () => {},
    );
    return fake;
}
