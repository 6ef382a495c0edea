// A fault-injecting front for the local kube-apiserver: clients (the Pulumi CLI's providers, MeshEgress's own
// requests) reach the real API server through it, and a test decides, request by request, to let it through, to
// act before forwarding it (another writer getting in first), to keep the answer from the client after the server
// has acted (a client that dies between a write and its record), or to make the whole server unreachable or hung.
import * as fs from "node:fs";
import * as https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import * as path from "node:path";
import { LocalCluster } from "./cluster";

export interface ProxiedRequest {
    method: string;
    path: string;
}

export interface FaultProxy {
    url: string;
    /** A kubeconfig whose server is the proxy (same CA and credentials as the cluster's). */
    kubeconfigPath: string;
    /** Every request seen, in order. */
    requests: ProxiedRequest[];
    /** Runs before a request is forwarded. */
    beforeForward?: (request: ProxiedRequest) => Promise<void>;
    /** Decides, once the server answered, whether the client gets the answer ("withhold": it never does). */
    afterAnswer?: (request: ProxiedRequest, status: number) => "deliver" | "withhold";
    /** Stops listening and drops every connection: the server is unreachable until `restore`. */
    refuse(): Promise<void>;
    /** Accepts connections and never answers them, until `restore`. */
    hang(): void;
    restore(): Promise<void>;
    close(): Promise<void>;
}

function env(cluster: LocalCluster): Record<string, string> {
    const text = fs.readFileSync(path.join(cluster.dir, "cluster.env"), "utf8");
    return Object.fromEntries(
        text
            .trim()
            .split("\n")
            .map((line) => line.split("=", 2) as [string, string]),
    );
}

export async function startFaultProxy(cluster: LocalCluster): Promise<FaultProxy> {
    const pki = (file: string) => fs.readFileSync(path.join(cluster.dir, "pki", file));
    const upstream = new URL(env(cluster).KUBE_APISERVER_URL);
    const agent = new https.Agent({
        ca: pki("ca.crt"),
        cert: pki("admin.crt"),
        key: pki("admin.key"),
        keepAlive: true,
    });
    const sockets = new Set<Socket>();
    let hanging = false;

    const proxy = {} as FaultProxy;
    const server = https.createServer({ key: pki("apiserver.key"), cert: pki("apiserver.crt") }, (req, res) => {
        void handle(req, res);
    });
    server.on("secureConnection", (socket: Socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
    });

    async function handle(req: IncomingMessage, res: ServerResponse) {
        const request = { method: req.method!, path: req.url! };
        proxy.requests.push(request);
        if (hanging) return;
        const body: Buffer[] = [];
        for await (const chunk of req) body.push(chunk as Buffer);
        try {
            await proxy.beforeForward?.(request);
        } catch (error) {
            res.writeHead(500).end(String(error));
            return;
        }
        const headers = { ...req.headers, host: upstream.host };
        const forwarded = https.request(
            { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers, agent },
            (answer) => {
                const verdict = proxy.afterAnswer?.(request, answer.statusCode ?? 0) ?? "deliver";
                if (verdict === "withhold") {
                    answer.resume();
                    return;
                }
                res.writeHead(answer.statusCode ?? 502, answer.headers);
                answer.pipe(res);
            },
        );
        forwarded.on("error", (error) => res.destroy(error));
        res.on("close", () => forwarded.destroy());
        forwarded.end(Buffer.concat(body));
    }

    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    const url = `https://127.0.0.1:${port}`;
    const kubeconfigPath = path.join(cluster.dir, "proxy.kubeconfig");
    fs.writeFileSync(kubeconfigPath, cluster.kubeconfig.replace(/server: https:\/\/[^\s]+/, `server: ${url}`));

    const dropConnections = () => {
        for (const socket of sockets) socket.destroy();
    };
    Object.assign(proxy, {
        url,
        kubeconfigPath,
        requests: [],
        async refuse() {
            await new Promise<void>((resolve) => {
                server.close(() => resolve());
                dropConnections();
            });
        },
        hang() {
            hanging = true;
        },
        async restore() {
            hanging = false;
            dropConnections();
            if (!server.listening) await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
        },
        async close() {
            proxy.beforeForward = undefined;
            proxy.afterAnswer = undefined;
            hanging = false;
            if (server.listening) await proxy.refuse();
            agent.destroy();
        },
    });
    return proxy;
}
