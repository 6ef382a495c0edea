// Reads and writes the mesh config key of a live ConfigMap. Loaded by the dynamic provider at run time.
import { readOutboundMode, withOutboundMode } from "./meshYaml";

export interface MeshConfigTarget {
    namespace: string;
    configMapName: string;
    key: string;
    kubeconfig?: string;
    context?: string;
}

type Client = {
    readNamespacedConfigMap(req: { name: string; namespace: string }): Promise<any>;
    patchNamespacedConfigMap(req: { name: string; namespace: string; body: unknown }): Promise<any>;
};

async function client(target: MeshConfigTarget): Promise<Client> {
    const k8s = await import("@kubernetes/client-node");
    const config = new k8s.KubeConfig();
    if (target.kubeconfig) config.loadFromString(target.kubeconfig);
    else config.loadFromDefault();
    if (target.context) config.setCurrentContext(target.context);
    return config.makeApiClient(k8s.CoreV1Api) as unknown as Client;
}

function isNotFound(error: unknown): boolean {
    return (error as { code?: number })?.code === 404;
}

function where(target: MeshConfigTarget): string {
    return `ConfigMap ${target.namespace}/${target.configMapName}`;
}

/** The current mode in the mesh config, or undefined when the ConfigMap does not exist. */
export async function readLiveMode(target: MeshConfigTarget): Promise<{ exists: boolean; mode?: string }> {
    try {
        const configMap = await (
            await client(target)
        ).readNamespacedConfigMap({
            name: target.configMapName,
            namespace: target.namespace,
        });
        return { exists: true, mode: readOutboundMode(configMap.data?.[target.key] ?? "") };
    } catch (error) {
        if (isNotFound(error)) return { exists: false };
        throw error;
    }
}

/**
 * Sets the mode (or removes it when undefined) and returns the mode that was there before. The write is a JSON
 * patch guarded by the resourceVersion that was read, so a concurrent edit fails instead of being overwritten.
 */
export async function writeLiveMode(target: MeshConfigTarget, mode: string | undefined): Promise<string | undefined> {
    const api = await client(target);
    let configMap: any;
    try {
        configMap = await api.readNamespacedConfigMap({ name: target.configMapName, namespace: target.namespace });
    } catch (error) {
        if (isNotFound(error)) {
            throw new Error(
                `${where(target)} does not exist: is Istio installed there (and is istio.revision right)? ` +
                    'For a mesh whose config is not in the cluster, use outboundTrafficPolicy.target "ROOT_NAMESPACE_SIDECAR".',
                { cause: error },
            );
        }
        throw error;
    }
    const current = configMap.data?.[target.key];
    if (current === undefined) throw new Error(`${where(target)} has no "${target.key}" key`);
    const previous = readOutboundMode(current);
    const updated = withOutboundMode(current, mode);
    if (updated !== current) {
        await api.patchNamespacedConfigMap({
            name: target.configMapName,
            namespace: target.namespace,
            body: [
                { op: "test", path: "/metadata/resourceVersion", value: configMap.metadata.resourceVersion },
                { op: "replace", path: `/data/${target.key.replace(/~/g, "~0").replace(/\//g, "~1")}`, value: updated },
            ],
        });
    }
    return previous;
}
