// The client side of ambient's HBONE, as ztunnel speaks it to a waypoint: HTTP/2 CONNECT over mutual TLS with a
// workload certificate (its SPIFFE identity is the caller's), to the address and port the app called. What then
// flows through the tunnel is the app's own bytes: plain HTTP, the app's TLS session, or raw TCP.
import * as fs from "node:fs";
import * as http2 from "node:http2";
import { Duplex } from "node:stream";
import * as tls from "node:tls";

/** A workload identity: the directory of a file-mounted workload certificate (cert-chain.pem, key.pem, root-cert.pem). */
export interface WorkloadCertificate {
    dir: string;
}

/** The outcome of a CONNECT: the waypoint's status, and the tunnel when it answered 200. */
export interface Tunnel {
    status: number;
    stream?: Duplex;
    close(): void;
}

/**
 * Opens an HBONE tunnel to `target` ("<ip>:<port>") through the waypoint at `waypoint` ("<ip>:<port>"), whose
 * certificate must carry `waypointIdentity` (a SPIFFE ID) and chain to the caller's mesh root.
 */
export function hbone(
    waypoint: string,
    waypointIdentity: string,
    caller: WorkloadCertificate,
    target: string,
): Promise<Tunnel> {
    const file = (name: string) => fs.readFileSync(`${caller.dir}/${name}`);
    const session = http2.connect(`https://${waypoint}`, {
        ca: file("root-cert.pem"),
        cert: file("cert-chain.pem"),
        key: file("key.pem"),
        // A workload certificate names a SPIFFE identity, not a DNS name: check that instead, as ztunnel does.
        checkServerIdentity: (_host, peer) =>
            peer.subjectaltname?.split(", ").includes(`URI:${waypointIdentity}`)
                ? undefined
                : new Error(`the waypoint presented ${peer.subjectaltname}, not ${waypointIdentity}`),
    });
    const close = () => session.destroy();
    return new Promise((resolve, reject) => {
        session.once("error", reject);
        const stream = session.request({ ":method": "CONNECT", ":authority": target }, { endStream: false });
        stream.once("error", reject);
        stream.once("response", (headers) => {
            const status = Number(headers[":status"]);
            resolve(status === 200 ? { status, stream, close } : (close(), { status, close }));
        });
    });
}

/** Everything a stream yields until it ends or `ms` pass, as text. */
export function readAll(stream: Duplex, ms = 10_000): Promise<string> {
    return new Promise((resolve) => {
        let text = "";
        const done = () => {
            clearTimeout(timer);
            resolve(text);
        };
        const timer = setTimeout(done, ms);
        stream.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
        stream.once("end", done);
        stream.once("close", done);
        stream.once("error", done);
    });
}

/** HEAD / with this Host header over a stream (the tunnel, or a TLS session inside it); the status, 0 for none. */
export async function headOver(stream: Duplex, host: string): Promise<{ status: number; raw: string }> {
    stream.write(`HEAD / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    const raw = await readAll(stream);
    return { status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(raw)?.[1] ?? 0), raw };
}

/** The app's own TLS session inside a tunnel, verified against `ca` for `servername`. */
export function tlsOver(stream: Duplex, servername: string, ca: Buffer): Promise<tls.TLSSocket> {
    return new Promise((resolve, reject) => {
        const session = tls.connect({ socket: stream, servername, ca }, () => resolve(session));
        session.once("error", reject);
    });
}
