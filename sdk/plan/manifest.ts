// The plain Kubernetes object shape the plan produces; the Pulumi layer turns each into one resource.

export interface ObjectMeta {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
}

export interface Manifest {
    apiVersion: string;
    kind: string;
    metadata: ObjectMeta;
    [field: string]: unknown;
}

/**
 * The annotation in which every object MeshEgress writes records its owner, `<project>/<stack>/<component>`: the
 * cluster check refuses to take over an object another owner holds.
 */
export const OWNER_ANNOTATION = "mesh-egress.io/owner";

/** Which Kubernetes provider an object goes through. */
export type TargetCluster = "istio" | "workload";

export interface PlannedObject {
    /** Unique, stable key: `<kind>/<namespace>/<name>`. */
    key: string;
    /** The Pulumi resource name, unique for its type across every MeshEgress of a stack (collector.ts). */
    resourceName: string;
    cluster: TargetCluster;
    /** The external host the object exists for; absent for shared objects. */
    host?: string;
    manifest: Manifest;
    /** Keys of objects that must exist before this one. */
    dependsOn: string[];
}

export function objectKey(manifest: Manifest): string {
    return `${manifest.kind}/${manifest.metadata.namespace ?? ""}/${manifest.metadata.name}`;
}

/** The kinds a set of objects uses in one API group version, e.g. `networking.istio.io/v1`: ServiceEntry, Gateway. */
export interface ApiResourceNeed {
    apiVersion: string;
    kinds: string[];
}

/** What a cluster must serve to take `objects`, in a stable order. */
export function apiResourceNeeds(objects: PlannedObject[]): ApiResourceNeed[] {
    const kinds = new Map<string, Set<string>>();
    for (const { manifest } of objects) {
        kinds.set(manifest.apiVersion, (kinds.get(manifest.apiVersion) ?? new Set()).add(manifest.kind));
    }
    return [...kinds.keys()].sort().map((apiVersion) => ({ apiVersion, kinds: [...kinds.get(apiVersion)!].sort() }));
}
