// What every benchmark shares: the host list (deterministic, so every run and both variants see exactly the same
// input) and how a measurement process is started.
import { EgressMode, ExternalHost, MeshEgressArgs } from "../sdk/args";

/** Extra HTTP ports some services use; none collides with 443 (TLS) or Istio's reserved 15000-15090. */
const OTHER_HTTP_PORTS = [8080, 8000, 9200];

/**
 * A realistic mix of the modes: 45% plain HTTP on 80, 10% HTTP on another port, 25% TLS passthrough on 443, 10% TLS
 * origination, 5% mutual TLS origination, 5% TCP to a CIDR of its own (with an endpoint in it). Every 20th name is long enough (> 63
 * characters as an object name) to take the hashed-name path. Defaults otherwise, so the gateway hop is Istio mutual
 * TLS and every TLS_PASSTHROUGH and TCP host gets a gateway port of its own from the allocator.
 */
export function benchHosts(n: number): ExternalHost[] {
    const hosts: ExternalHost[] = [];
    for (let i = 0; i < n; i++) {
        const host =
            i % 20 === 19
                ? `object-storage-archive-${i}.eu-central-1.storage.provider-example.com`
                : `api-${i}.vendor${i % 97}.example.com`;
        const slot = i % 20;
        if (slot < 9) hosts.push({ host });
        else if (slot === 9) {
            // TCP hosts sharing a port need distinct addresses. Endpoints make the resolution STATIC: Istio's CRD
            // validation rejects CIDR addresses with DNS resolution (the API server refuses such a ServiceEntry).
            const net = `10.${(i >> 8) & 255}.${i & 255}`;
            hosts.push({
                host,
                mode: EgressMode.Tcp,
                port: 5432,
                addresses: [`${net}.0/24`],
                endpoints: [`${net}.10`],
            });
        } else if (slot < 12) hosts.push({ host, port: OTHER_HTTP_PORTS[i % OTHER_HTTP_PORTS.length] });
        else if (slot < 17) hosts.push({ host, mode: EgressMode.TlsPassthrough });
        else if (slot < 19) hosts.push({ host, mode: EgressMode.TlsOrigination });
        else hosts.push({ host, mode: EgressMode.MutualTlsOrigination, tls: { credentialName: "client-credential" } });
    }
    return hosts;
}

/** The component's arguments: defaults otherwise (deployed gateway, REGISTRY_ONLY written to the mesh config). */
export function benchArgs(n: number): MeshEgressArgs {
    return { hosts: benchHosts(n) };
}

/**
 * The real-engine benchmark's arguments (bench/engine): the same hosts, and `pulumi.com/skipAwait` on the gateway's
 * objects, because the local control plane runs no pods and `up` would wait for the gateway's rollout until it times
 * out (previews never wait).
 */
export function engineArgs(n: number): MeshEgressArgs {
    return { hosts: benchHosts(n), gateway: { annotations: { "pulumi.com/skipAwait": "true" } } };
}

/** Node arguments that run a bench/*.ts file in a fresh process with ts-node (transpile only: no type check). */
export function nodeArgs(file: string, ...nodeOptions: string[]): string[] {
    return ["--expose-gc", ...nodeOptions, "-r", "ts-node/register/transpile-only", file];
}

export function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
