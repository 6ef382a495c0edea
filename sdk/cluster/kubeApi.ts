// A minimal Kubernetes API client for what MeshEgress itself reads and writes (the cluster check and the mesh config
// edit): credentials resolved as kubectl resolves them, every request bounded in time, and every failure reported
// with the server and where its address came from, so a user knows which cluster and which kubeconfig to look at.
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";

/** Credentials of a cluster: a kubeconfig's text and context, or `$KUBECONFIG` / `~/.kube/config` when unset. */
export interface ClusterAccess {
    kubeconfig?: string;
    context?: string;
    /** What the user calls the kubeconfig they gave, for messages. Default: `istioCluster.kubeconfig`. */
    origin?: string;
}

export interface KubeResponse {
    status: number;
    /** The answer parsed as JSON, or its text when it is not JSON. */
    body: any;
    /** The answer as it came (a pod log is text, even when its one line is JSON). */
    text: string;
}

export interface KubeApi {
    /** The API server's URL, e.g. `https://10.0.0.1:6443`. */
    server: string;
    /** Where the credentials came from, e.g. `$KUBECONFIG (context prod)`. */
    source: string;
    request(method: string, path: string, body?: unknown, contentType?: string): Promise<KubeResponse>;
}

/** How long a request may go without a byte from the server before MeshEgress gives up on it. */
export const REQUEST_TIMEOUT_MS = 10_000;

function credentialSource(access: ClusterAccess, context: string): string {
    const file =
        access.kubeconfig !== undefined
            ? (access.origin ?? "istioCluster.kubeconfig")
            : process.env.KUBECONFIG
              ? "$KUBECONFIG"
              : "~/.kube/config";
    return context ? `${file}, context ${context}` : file;
}

/** What went wrong at the network level, in words. */
function networkReason(error: NodeJS.ErrnoException, timeoutMs: number): string {
    switch (error.code) {
        case "ECONNREFUSED":
            return "the connection was refused";
        case "ENOTFOUND":
        case "EAI_AGAIN":
            return "its name does not resolve";
        case "ETIMEDOUT":
            return `no answer within ${timeoutMs / 1000} s`;
        case "ECONNRESET":
            return "the connection was reset";
        default:
            return error.message;
    }
}

/** Whether kubectl would find credentials: $KUBECONFIG, ~/.kube/config, or a pod's service account. */
function hasDefaultCredentials(): boolean {
    const inPod = process.env.KUBERNETES_SERVICE_HOST !== undefined;
    return inPod || Boolean(process.env.KUBECONFIG) || fs.existsSync(path.join(os.homedir(), ".kube", "config"));
}

export async function connect(access: ClusterAccess, timeoutMs = REQUEST_TIMEOUT_MS): Promise<KubeApi> {
    const k8s = await import("@kubernetes/client-node");
    const config = new k8s.KubeConfig();
    if (access.kubeconfig !== undefined) config.loadFromString(access.kubeconfig);
    else if (!hasDefaultCredentials()) {
        // loadFromDefault would fall back to http://localhost:8080, which explains nothing.
        throw new Error(
            "no kubeconfig: $KUBECONFIG is unset and ~/.kube/config does not exist (set one, or istioCluster, or " +
                "clusterCheck false when there is no cluster to check)",
        );
    } else config.loadFromDefault();
    if (access.context) config.setCurrentContext(access.context);
    const cluster = config.getCurrentCluster();
    const source = credentialSource(access, config.getCurrentContext());
    if (!cluster) throw new Error(`no cluster is selected in ${source}`);
    const server = cluster.server.replace(/\/+$/, "");
    const options: https.RequestOptions = {};
    await config.applyToHTTPSOptions(options);
    const where = `the Kubernetes API server at ${server} (${source})`;

    function request(method: string, path: string, body?: unknown, contentType?: string): Promise<KubeResponse> {
        const url = new URL(server + path);
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const headers: Record<string, string> = {
            ...(options.headers as Record<string, string>),
            Accept: "application/json",
        };
        if (payload !== undefined) {
            headers["Content-Type"] = contentType ?? "application/json";
            headers["Content-Length"] = String(Buffer.byteLength(payload));
        }
        const send = url.protocol === "http:" ? http.request : https.request;
        return new Promise((resolve, reject) => {
            const req = send(url, { ...options, method, headers }, (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (chunk: Buffer) => {
                    chunks.push(chunk);
                    // An idle limit, not a total one: a long pod log keeps streaming.
                    timer.refresh();
                });
                res.on("end", () => {
                    clearTimeout(timer);
                    const text = Buffer.concat(chunks).toString("utf8");
                    let parsed: unknown = text;
                    try {
                        parsed = JSON.parse(text);
                    } catch {
                        // Not JSON (a proxy's error page): keep the text for the message.
                    }
                    resolve({ status: res.statusCode ?? 0, body: parsed, text });
                });
                res.on("error", fail);
            });
            function fail(error: NodeJS.ErrnoException) {
                clearTimeout(timer);
                reject(new Error(`cannot reach ${where}: ${networkReason(error, timeoutMs)}`, { cause: error }));
            }
            const timer = setTimeout(() => {
                const error: NodeJS.ErrnoException = new Error("timed out");
                error.code = "ETIMEDOUT";
                req.destroy(error);
            }, timeoutMs);
            req.on("error", fail);
            req.end(payload);
        });
    }
    return { server, source, request };
}

/** An error for an answer the caller did not expect, with the server's own message. */
export function unexpectedAnswer(api: KubeApi, what: string, response: KubeResponse): Error {
    const message = typeof response.body === "object" ? response.body?.message : String(response.body).slice(0, 200);
    const hint =
        response.status === 401
            ? " (the credentials were not accepted)"
            : response.status === 403
              ? " (the credentials lack permission)"
              : "";
    return new Error(
        `${what} failed at the Kubernetes API server at ${api.server} (${api.source}): HTTP ${response.status}${hint}: ${message}`,
    );
}
