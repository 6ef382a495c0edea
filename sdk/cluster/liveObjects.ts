// Reads the live versions of planned objects: one paginated LIST per kind and namespace (not one GET per object), so
// the cost stays a handful of requests whatever the number of hosts.
import { PlannedObject } from "../plan/manifest";
import { KubeApi, unexpectedAnswer } from "./kubeApi";

/** Per kind, the REST resource name (plural) and whether it is namespaced, from the API server's discovery. */
export type Discovery = Map<string, { plural: string; namespaced: boolean }>;

export function discoveryKey(apiVersion: string, kind: string): string {
    return `${apiVersion} ${kind}`;
}

export function collectionPath(apiVersion: string, plural: string, namespace: string | undefined): string {
    const root = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    return namespace ? `${root}/namespaces/${encodeURIComponent(namespace)}/${plural}` : `${root}/${plural}`;
}

export async function listAll(api: KubeApi, path: string): Promise<any[]> {
    const items: any[] = [];
    let next: string | undefined = "";
    while (next !== undefined) {
        const query: string = `?limit=500${next ? `&continue=${encodeURIComponent(next)}` : ""}`;
        const response = await api.request("GET", path + query);
        if (response.status === 404) return items;
        if (response.status !== 200) throw unexpectedAnswer(api, `listing ${path}`, response);
        items.push(...(response.body.items ?? []));
        next = response.body.metadata?.continue || undefined;
    }
    return items;
}

/** What the planned objects' collections hold. */
export interface LiveRead {
    /** The live object of each planned object that exists, by the object's key. */
    objects: Map<string, Record<string, any>>;
    /** Everything in each planned object's collection (its kind, in its namespace), by the object's key. */
    neighbours: Map<string, Record<string, any>[]>;
}

export async function readLiveObjects(api: KubeApi, discovery: Discovery, objects: PlannedObject[]): Promise<LiveRead> {
    const collections = new Map<string, PlannedObject[]>();
    for (const object of objects) {
        const { apiVersion, kind, metadata } = object.manifest;
        const resource = discovery.get(discoveryKey(apiVersion, kind));
        if (!resource) continue;
        const path = collectionPath(apiVersion, resource.plural, resource.namespaced ? metadata.namespace : undefined);
        collections.set(path, [...(collections.get(path) ?? []), object]);
    }
    const read: LiveRead = { objects: new Map(), neighbours: new Map() };
    await Promise.all(
        [...collections].map(async ([path, wanted]) => {
            const items = await listAll(api, path);
            const byName = new Map(items.map((item) => [item.metadata.name, item]));
            for (const object of wanted) {
                const item = byName.get(object.manifest.metadata.name);
                if (item) read.objects.set(object.key, item);
                read.neighbours.set(object.key, items);
            }
        }),
    );
    return read;
}
