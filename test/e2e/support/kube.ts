// Reads objects back from the API server with the official Kubernetes client.
import type * as k8s from "@kubernetes/client-node";
import type { Manifest } from "../../../sdk/plan";

export interface Kube {
    configMapData(namespace: string, name: string): Promise<Record<string, string> | undefined>;
    get(apiVersion: string, kind: string, namespace: string, name: string): Promise<any | undefined>;
    /** The live version of a manifest's object (same API version, kind, namespace and name), if it exists. */
    read(manifest: Manifest): Promise<any | undefined>;
    list(apiVersion: string, kind: string, namespace: string): Promise<any[]>;
}

export async function kube(kubeconfig: string): Promise<Kube> {
    const client = await import("@kubernetes/client-node");
    const config = new client.KubeConfig();
    config.loadFromString(kubeconfig);
    const objects = client.KubernetesObjectApi.makeApiClient(config);
    const core = config.makeApiClient(client.CoreV1Api);
    const notFound = (e: unknown) => (e as { code?: number }).code === 404;
    const get: Kube["get"] = async (apiVersion, kind, namespace, name) => {
        try {
            return await objects.read({
                apiVersion,
                kind,
                metadata: { name, namespace },
            } as k8s.KubernetesObject & {
                metadata: { name: string; namespace: string };
            });
        } catch (e) {
            if (notFound(e)) return undefined;
            throw e;
        }
    };
    return {
        async configMapData(namespace, name) {
            try {
                return (await core.readNamespacedConfigMap({ name, namespace })).data;
            } catch (e) {
                if (notFound(e)) return undefined;
                throw e;
            }
        },
        get,
        read: (manifest) =>
            get(manifest.apiVersion, manifest.kind, manifest.metadata.namespace!, manifest.metadata.name),
        async list(apiVersion, kind, namespace) {
            return (await objects.list(apiVersion, kind, namespace)).items;
        },
    };
}
