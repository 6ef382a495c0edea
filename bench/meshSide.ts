// The plans the mesh-side benchmark feeds to Istio's in-process discovery server (test/dataplane/meshside_test.go):
// for each size N, MeshEgress with the benchmark's host mix and its defaults (every host visible to every client),
// the same hosts each allowed to one namespace only (`from`), and Istio's documented hand-written recipe for the same
// hosts on the default egress gateway, the same hosts through an egress waypoint (ambient), and through waypoints
// spread across namespaces with every host restricted (ambient-sharded); plus a mesh without any of it.
//
//   node -r ts-node/register bench/meshSide.ts <dir> <size>...
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { EgressMode, ExternalHost, MeshEgressArgs } from "../sdk/args";
import { Manifest } from "../sdk/plan";
import { exportPlan } from "../test/dataplane/export-plan";
import { benchHosts } from "./scenario";

/** The namespace the scoped variant allows every host to; a client elsewhere may use none. */
export const ALLOWED_NAMESPACE = "allowed";

const GATEWAY = { name: "istio-egressgateway", namespace: "istio-system", labels: { istio: "egressgateway" } };
const G = `${GATEWAY.name}.${GATEWAY.namespace}.svc.cluster.local`;

function object(kind: string, name: string, spec: Record<string, unknown>): Manifest {
    const apiVersion = kind === "Service" ? "v1" : "networking.istio.io/v1";
    return { apiVersion, kind, metadata: { name, namespace: GATEWAY.namespace }, spec };
}

/**
 * Istio's egress-gateway recipe, written by hand per host as the tasks show it ("Egress Gateways", "Egress Gateways
 * with TLS Origination", "Consuming External MongoDB Services"): a ServiceEntry, a Gateway on the default egress
 * gateway, a DestinationRule with the host's subset of that gateway, a VirtualService with both hops, and for
 * origination a DestinationRule that originates TLS. TCP hosts each get a port of their own on the gateway.
 */
function handWritten(hosts: ExternalHost[]): { manifests: Manifest[]; tcpPorts: number[] } {
    const manifests: Manifest[] = [];
    const tcpPorts: number[] = [];
    hosts.forEach((h, i) => {
        const name = `h${i}`;
        const mode = h.mode ?? EgressMode.Http;
        const subset = { name, trafficPolicy: { tls: { mode: "ISTIO_MUTUAL", sni: h.host } } };
        manifests.push(object("DestinationRule", `egressgateway-for-${name}`, { host: G, subsets: [subset] }));
        const toGateway = (port: number) => [{ destination: { host: G, subset: name, port: { number: port } } }];
        const gateway = (server: Record<string, unknown>) =>
            object("Gateway", name, { selector: GATEWAY.labels, servers: [{ ...server, hosts: [h.host] }] });
        const mesh = { gateways: ["mesh"] };
        const viaGateway = { gateways: [name] };
        if (mode === EgressMode.TlsPassthrough) {
            manifests.push(
                object("ServiceEntry", name, {
                    hosts: [h.host],
                    ports: [{ number: 443, name: "tls", protocol: "TLS" }],
                    resolution: "DNS",
                }),
                gateway({ port: { number: 443, name: "tls", protocol: "TLS" }, tls: { mode: "PASSTHROUGH" } }),
                object("VirtualService", name, {
                    hosts: [h.host],
                    gateways: ["mesh", name],
                    tls: [
                        { match: [{ ...mesh, port: 443, sniHosts: [h.host] }], route: toGateway(443) },
                        {
                            match: [{ ...viaGateway, port: 443, sniHosts: [h.host] }],
                            route: [{ destination: { host: h.host, port: { number: 443 } } }],
                        },
                    ],
                }),
            );
        } else if (mode === EgressMode.Tcp) {
            const gatewayPort = 7000 + i;
            tcpPorts.push(gatewayPort);
            manifests.push(
                object("ServiceEntry", name, {
                    hosts: [h.host],
                    addresses: h.addresses,
                    ports: [{ number: h.port, name: "tcp", protocol: "TCP" }],
                    location: "MESH_EXTERNAL",
                    resolution: "STATIC",
                    endpoints: (h.endpoints ?? []).map((address) => ({ address })),
                }),
                gateway({
                    port: { number: gatewayPort, name: "tls", protocol: "TLS" },
                    tls: { mode: "ISTIO_MUTUAL" },
                }),
                object("VirtualService", name, {
                    hosts: [h.host],
                    gateways: ["mesh", name],
                    tcp: [
                        { match: [{ ...mesh, port: h.port }], route: toGateway(gatewayPort) },
                        {
                            match: [{ ...viaGateway, port: gatewayPort }],
                            route: [{ destination: { host: h.host, port: { number: h.port } } }],
                        },
                    ],
                }),
            );
        } else {
            const appPort = h.port ?? 80;
            const origination = mode === EgressMode.TlsOrigination || mode === EgressMode.MutualTlsOrigination;
            const ports = [{ number: appPort, name: "http-port", protocol: "HTTP" }];
            if (origination) ports.push({ number: 443, name: "https-port", protocol: "HTTPS" });
            manifests.push(
                object("ServiceEntry", name, { hosts: [h.host], ports, resolution: "DNS" }),
                gateway({ port: { number: 80, name: "https", protocol: "HTTPS" }, tls: { mode: "ISTIO_MUTUAL" } }),
                object("VirtualService", name, {
                    hosts: [h.host],
                    gateways: ["mesh", name],
                    http: [
                        { match: [{ ...mesh, port: appPort }], route: toGateway(80) },
                        {
                            match: [{ ...viaGateway, port: 80 }],
                            route: [{ destination: { host: h.host, port: { number: origination ? 443 : appPort } } }],
                        },
                    ],
                }),
            );
            if (origination) {
                const tls =
                    mode === EgressMode.MutualTlsOrigination
                        ? { mode: "MUTUAL", credentialName: "client-credential", sni: h.host }
                        : { mode: "SIMPLE", sni: h.host };
                manifests.push(
                    object("DestinationRule", `originate-tls-for-${name}`, {
                        host: h.host,
                        trafficPolicy: { portLevelSettings: [{ port: { number: 443 }, tls }] },
                    }),
                );
            }
        }
    });
    return { manifests, tcpPorts };
}

/** The hand-written recipe as an exported plan: the default egress gateway's workload, then every host's objects. */
function baselinePlan(label: string, hosts: ExternalHost[]): string {
    // The gateway workload and the mesh config edit are MeshEgress's own for an empty host list, renamed to the
    // default egress gateway; the per-host objects are the hand-written ones.
    const workload = exportPlan(label, {
        name: "baseline",
        args: { hosts: [], gateway: { name: GATEWAY.name, labels: GATEWAY.labels }, accessLog: { enabled: false } },
    })
        .split("---\n")
        .map((doc) => parse(doc));
    const { manifests, tcpPorts } = handWritten(hosts);
    const service = workload.find((doc) => doc.kind === "Service");
    service.spec.ports = [
        { name: "status-port", port: 15021, targetPort: 15021, protocol: "TCP" },
        ...[80, 443, ...tcpPorts].map((port) => ({ name: `tcp-${port}`, port, targetPort: port, protocol: "TCP" })),
    ];
    // Istio's own egress gateway Service is visible to every namespace: clients route to its subsets.
    delete service.metadata.annotations;
    return [...workload, ...manifests].map((doc) => stringify(doc, { lineWidth: 0 })).join("---\n");
}

/**
 * The same hosts through an egress waypoint. The waypoint matches TCP hosts by address, one each (ranges are refused
 * under AMBIENT), so each TCP host gets its endpoint's address instead of its range. antiBypass is required there.
 */
function ambientArgs(hosts: ExternalHost[]): MeshEgressArgs {
    return {
        dataplane: "AMBIENT",
        antiBypass: { namespaces: ["default"] },
        hosts: hosts.map((h) => (h.mode === EgressMode.Tcp ? { ...h, addresses: h.endpoints } : h)),
    };
}

/** Hosts per waypoint in the sharded ambient plan: istiod builds a waypoint of this many in well under a second. */
export const HOSTS_PER_WAYPOINT = 250;

/**
 * The same hosts through waypoints spread across namespaces (gateway.shardNamespaces), one per 250 hosts, every host
 * restricted by `from` (so every host has an AuthorizationPolicy: the costly case).
 */
function shardedAmbientArgs(hosts: ExternalHost[]): MeshEgressArgs {
    const shards = Math.ceil(hosts.length / HOSTS_PER_WAYPOINT) - 1;
    const args = ambientArgs(hosts.map((h) => ({ ...h, from: [{ namespace: ALLOWED_NAMESPACE }] })));
    return {
        ...args,
        gateway: { shardNamespaces: Array.from({ length: shards }, (_, i) => `egress-shard-${i + 1}`) },
    };
}

export function writeMeshSidePlans(dir: string, sizes: number[]): void {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
        path.join(dir, "none.yaml"),
        exportPlan("none", {
            name: "egress",
            args: { hosts: [], outboundTrafficPolicy: { mode: "UNMANAGED" }, accessLog: { enabled: false } },
        }),
    );
    for (const n of sizes) {
        const hosts = benchHosts(n);
        fs.writeFileSync(
            path.join(dir, `mesh-${n}.yaml`),
            exportPlan(`mesh-${n}`, { name: "egress", args: { hosts } }),
        );
        fs.writeFileSync(
            path.join(dir, `gatewayapi-${n}.yaml`),
            exportPlan(`gatewayapi-${n}`, { name: "egress", args: { hosts, routingApi: "GATEWAY_API" } }),
        );
        fs.writeFileSync(
            path.join(dir, `ambient-${n}.yaml`),
            exportPlan(`ambient-${n}`, { name: "egress", args: ambientArgs(hosts) }),
        );
        fs.writeFileSync(
            path.join(dir, `ambient-sharded-${n}.yaml`),
            exportPlan(`ambient-sharded-${n}`, { name: "egress", args: shardedAmbientArgs(hosts) }),
        );
        const scoped = hosts.map((h) => ({ ...h, from: [{ namespace: ALLOWED_NAMESPACE }] }));
        fs.writeFileSync(
            path.join(dir, `scoped-${n}.yaml`),
            exportPlan(`scoped-${n}`, { name: "egress", args: { hosts: scoped } }),
        );
        // Beyond 1,000 hosts the hand-written recipe takes too long to measure (its clusters grow as hosts × ports).
        if (n <= 1000) fs.writeFileSync(path.join(dir, `baseline-${n}.yaml`), baselinePlan(`baseline-${n}`, hosts));
    }
}

if (require.main === module) {
    const [dir, ...sizes] = process.argv.slice(2);
    writeMeshSidePlans(dir, sizes.map(Number));
}
