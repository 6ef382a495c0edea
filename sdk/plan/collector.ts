// The plan's objects, each under two identities that must be unique: its Kubernetes object (kind, namespace, name)
// and its Pulumi resource (type + resource name: the engine refuses two children of one component type with the same
// name, whichever component they belong to). Names are injective by construction (names.ts, resourceName below);
// reaching a clash here is a bug in mesh-egress, reported as one before anything is registered.
import { Manifest, PlannedObject, TargetCluster, objectKey } from "./manifest";

/**
 * The Pulumi name of a planned object: `<component>/<namespace>/<object name>`. A Kubernetes name is unique only per
 * namespace, and a child's URN holds its parent's type but not the parent's name, so both qualifiers are needed; none
 * of the three parts can contain "/", so no two objects of any two components share one.
 */
export function resourceName(componentName: string, manifest: Manifest): string {
    return `${componentName}/${manifest.metadata.namespace ?? ""}/${manifest.metadata.name}`;
}

function ownerOf(host: string | undefined): string {
    return host ? `host ${host}` : "the shared objects";
}

export interface ObjectCollector {
    /** In the order they were added: every object after its dependencies. */
    objects: PlannedObject[];
    /** Adds an object and returns its key. */
    add(manifest: Manifest, cluster: TargetCluster, dependsOn: string[], host?: string): string;
}

/** Collects planned objects named by `nameOf`, refusing a second object under either identity. */
export function objectCollector(nameOf: (manifest: Manifest) => string): ObjectCollector {
    const objects: PlannedObject[] = [];
    const owners = new Map<string, string | undefined>();
    const add = (manifest: Manifest, cluster: TargetCluster, dependsOn: string[], host?: string) => {
        const key = objectKey(manifest);
        const name = nameOf(manifest);
        // The engine's identity: the type token derives from apiVersion and kind.
        const identity = `Pulumi resource ${manifest.apiVersion} ${manifest.kind} "${name}"`;
        for (const taken of [key, identity]) {
            if (owners.has(taken)) {
                const [first, second] = [ownerOf(owners.get(taken)), ownerOf(host)];
                throw new Error(`mesh-egress bug: ${first} and ${second} would both name ${taken}`);
            }
        }
        owners.set(key, host).set(identity, host);
        objects.push({ key, resourceName: name, cluster, host, manifest, dependsOn });
        return key;
    };
    return { objects, add };
}
