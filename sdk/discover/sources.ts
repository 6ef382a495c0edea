// Where access-log lines come from: files (a sidecar's log saved by hand, or the lab's), or the Kubernetes API —
// the `istio-proxy` container's log of every pod in the namespaces asked for, within a time window, each line
// tagged with the pod's namespace and service account.
import * as fs from "node:fs";
import * as readline from "node:readline";
import { KubeApi, unexpectedAnswer } from "../cluster/kubeApi";
import { CallSource, UnreadPod } from "./report";

export interface SourcedLine {
    line: string;
    source?: CallSource;
}

export async function* fileLines(paths: string[], source?: CallSource): AsyncGenerator<SourcedLine> {
    for (const path of paths) {
        const lines = readline.createInterface({ input: fs.createReadStream(path), crlfDelay: Infinity });
        for await (const line of lines) yield { line, source };
    }
}

/** A pod whose sidecar log is read. */
interface ProxiedPod {
    namespace: string;
    name: string;
    serviceAccount: string;
}

const SIDECAR = "istio-proxy";

function hasSidecar(pod: any): boolean {
    const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
    return containers.some((container: { name: string }) => container.name === SIDECAR);
}

async function proxiedPods(api: KubeApi, namespace: string, labelSelector?: string): Promise<ProxiedPod[]> {
    const query = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : "";
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods${query}`;
    const response = await api.request("GET", path);
    if (response.status !== 200) throw unexpectedAnswer(api, `listing the pods of ${namespace}`, response);
    return (response.body.items ?? []).filter(hasSidecar).map((pod: any) => ({
        namespace,
        name: pod.metadata.name,
        serviceAccount: pod.spec.serviceAccountName ?? "default",
    }));
}

export interface PodLogSelection {
    /** Client namespaces: every pod with a sidecar. */
    namespaces: string[];
    /** Gateway pods, `<namespace>` and a label selector: their logs show which declared hosts are used. */
    gateway?: { namespace: string; labelSelector: string };
    sinceSeconds: number;
}

/**
 * Every line of the sidecar logs selected; `progress` hears of each pod read. A pod that is gone or whose proxy is
 * not running (404, 400) lands in `unread` and the rest are read; any other refusal (e.g. RBAC) stops the reading.
 */
export async function* podLogLines(
    api: KubeApi,
    selection: PodLogSelection,
    progress: (done: number, total: number) => void,
    unread: UnreadPod[],
): AsyncGenerator<SourcedLine> {
    // By namespace/name: a pod listed twice (its namespace is also the gateway's) is read once.
    const pods = new Map<string, ProxiedPod>();
    const listed = [
        ...(await Promise.all(selection.namespaces.map((namespace) => proxiedPods(api, namespace)))).flat(),
        ...(selection.gateway
            ? await proxiedPods(api, selection.gateway.namespace, selection.gateway.labelSelector)
            : []),
    ];
    for (const pod of listed) pods.set(`${pod.namespace}/${pod.name}`, pod);
    let done = 0;
    progress(done, pods.size);
    for (const pod of pods.values()) {
        const path =
            `/api/v1/namespaces/${encodeURIComponent(pod.namespace)}/pods/${encodeURIComponent(pod.name)}/log` +
            `?container=${SIDECAR}&sinceSeconds=${selection.sinceSeconds}`;
        const response = await api.request("GET", path);
        progress(++done, pods.size);
        if (response.status === 404 || response.status === 400) {
            unread.push({
                pod: `${pod.namespace}/${pod.name}`,
                reason: response.body?.message ?? `HTTP ${response.status}`,
            });
            continue;
        }
        if (response.status !== 200)
            throw unexpectedAnswer(api, `reading the log of ${pod.namespace}/${pod.name}`, response);
        const source = { namespace: pod.namespace, serviceAccount: pod.serviceAccount };
        for (const line of response.text.split("\n")) if (line) yield { line, source };
    }
}
