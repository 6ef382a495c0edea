// What another owner already holds that this component's plan would take, found in the cluster check so that the
// preview fails naming the other owner: an object of the same kind, namespace and name (applied with force, it would
// be silently taken over, and its owner's destroy would delete it later), the same external host on the same port
// (Istio keeps one of two ServiceEntries for a host, so one owner's routes and rules would silently lose), or a
// second namespace-wide Sidecar in a namespace (Istio applies only one), or a VirtualService another owner wrote for
// one of the hosts on the mesh or on this gateway. Every object MeshEgress writes records its owner,
// `<project>/<stack>/<component>`, in an annotation.
import { INTERNAL_DOMAIN } from "../naming/hosts";
import { OWNER_ANNOTATION, PlannedObject } from "../plan/manifest";
import { LiveRead } from "./liveObjects";

/** The labels the plan gives every object of a component; a live object with them and no owner annotation is one
 * an earlier build of the same component wrote (before owners were recorded). */
const INSTANCE_LABEL = "mesh-egress.io/instance";

/** Whose a live object is, for messages; undefined when it is this component's own. */
function otherOwner(live: Record<string, any>, owner: string, instance: string): string | undefined {
    const recorded = live.metadata?.annotations?.[OWNER_ANNOTATION];
    if (recorded === owner) return undefined;
    if (recorded !== undefined) return `MeshEgress ${recorded}`;
    const labels = live.metadata?.labels ?? {};
    if (labels["app.kubernetes.io/part-of"] === "mesh-egress") {
        return labels[INSTANCE_LABEL] === instance ? undefined : `MeshEgress component "${labels[INSTANCE_LABEL]}"`;
    }
    return "no MeshEgress (written by hand or by another tool)";
}

const describe = (kind: string, live: Record<string, any>) =>
    `${kind} ${live.metadata.namespace}/${live.metadata.name}`;

/** The external host:port pairs a planned ServiceEntry declares (not MeshEgress's own aliases). */
function declared(object: Record<string, any>): string[] {
    const spec = (object.spec ?? {}) as { hosts?: string[]; ports?: { number: number }[]; location?: string };
    if (spec.location !== "MESH_EXTERNAL") return [];
    const hosts = (spec.hosts ?? []).filter((h) => !h.endsWith(`.${INTERNAL_DOMAIN}`));
    return hosts.flatMap((host) => (spec.ports ?? []).map((port) => `${host}:${port.number}`));
}

/** What a client sidecar's listener makes of a ServiceEntry port's protocol: HTTP, TLS or raw TCP. */
function listenerProtocol(protocol: string | undefined): string {
    const upper = (protocol ?? "TCP").toUpperCase();
    if (["HTTP", "HTTP2", "GRPC", "GRPC-WEB"].includes(upper)) return "HTTP";
    if (["TLS", "HTTPS"].includes(upper)) return "TLS";
    return upper;
}

/** Per port, the listener protocol and the host:port that sets it, of a ServiceEntry. */
function portProtocols(object: Record<string, any>): [number, string][] {
    const spec = (object.spec ?? {}) as { location?: string; ports?: { number: number; protocol?: string }[] };
    if (spec.location !== "MESH_EXTERNAL") return [];
    return (spec.ports ?? []).map((port) => [port.number, listenerProtocol(port.protocol)]);
}

/** Whether one of two host:port pairs is a wildcard that covers the other's host, on the same port. */
function overlaps(a: string, b: string): boolean {
    const [hostA, portA] = a.split(":");
    const [hostB, portB] = b.split(":");
    if (portA !== portB || hostA === hostB) return false;
    const covers = (wildcard: string, host: string) => wildcard.startsWith("*.") && host.endsWith(wildcard.slice(1));
    return covers(hostA, hostB) || covers(hostB, hostA);
}

/** A VirtualService applies to client sidecars (no gateways, or `mesh`) or to one of the given gateways. */
function routesWhereWeDo(route: Record<string, any>, gateways: Set<string>): boolean {
    const boundTo = (route.spec?.gateways ?? []) as string[];
    const namespace = route.metadata?.namespace as string;
    return (
        boundTo.length === 0 ||
        boundTo.some(
            (gateway) =>
                gateway === "mesh" || gateways.has(gateway.includes("/") ? gateway : `${namespace}/${gateway}`),
        )
    );
}

function namespaceWide(object: Record<string, any>): boolean {
    return (object.spec as { workloadSelector?: unknown } | undefined)?.workloadSelector === undefined;
}

/**
 * The conflicts between the plan and what others own live; `serviceEntries` are every ServiceEntry the cluster
 * holds. `owner` is this component's `<project>/<stack>/<component>`, `instance` its instance label.
 */
export function conflicts(
    objects: PlannedObject[],
    live: LiveRead,
    serviceEntries: Record<string, any>[],
    virtualServices: Record<string, any>[],
    owner: string,
    instance: string,
): string[] {
    const found: string[] = [];
    for (const object of objects) {
        const existing = live.objects.get(object.key);
        const other = existing && otherOwner(existing, owner, instance);
        if (other) {
            found.push(`${describe(object.manifest.kind, existing)} already exists, owned by ${other}`);
        }
    }
    const wanted = new Map<string, PlannedObject>();
    for (const object of objects.filter((o) => o.manifest.kind === "ServiceEntry")) {
        for (const hostPort of declared(object.manifest)) wanted.set(hostPort, object);
    }
    for (const entry of serviceEntries) {
        const other = otherOwner(entry, owner, instance);
        if (!other) continue;
        for (const hostPort of declared(entry)) {
            if (wanted.has(hostPort)) {
                found.push(
                    `host ${hostPort} is already declared by ${describe("ServiceEntry", entry)}, owned by ${other}: ` +
                        "Istio would keep one of the two ServiceEntries, and with it one owner's routes; declare each " +
                        "host once",
                );
                continue;
            }
            for (const mine of [...wanted.keys()].filter((planned) => overlaps(planned, hostPort))) {
                found.push(
                    `host ${mine} overlaps ${hostPort}, declared by ${describe("ServiceEntry", entry)}, owned by ` +
                        `${other}: on one gateway port a wildcard's source rule also applies to the names under it ` +
                        "that another owner serves; declare them in one component",
                );
            }
        }
    }
    // A route someone else wrote for one of the hosts, where MeshEgress's routes apply (client sidecars, this
    // gateway), would compete with them: Istio keeps the oldest for sidecars and merges them on a gateway.
    const hosts = new Set([...wanted.keys()].map((hostPort) => hostPort.slice(0, hostPort.lastIndexOf(":"))));
    const gateways = new Set(
        objects
            .filter((o) => o.manifest.kind === "Gateway")
            .map((o) => `${o.manifest.metadata.namespace}/${o.manifest.metadata.name}`),
    );
    for (const route of virtualServices) {
        const other = otherOwner(route, owner, instance);
        const routed = ((route.spec?.hosts ?? []) as string[]).filter((host) => hosts.has(host));
        if (!other || routed.length === 0 || !routesWhereWeDo(route, gateways)) continue;
        found.push(
            `host ${routed.join(", ")} is already routed by ${describe("VirtualService", route)}, owned by ${other}: ` +
                "Istio would merge or drop one of the two routes; route each host in one place",
        );
    }
    // One port carries one protocol on client sidecars (Istio keeps one of two listeners for a port): across owners
    // as within a component.
    const plannedProtocols = new Map(
        objects.filter((o) => o.manifest.kind === "ServiceEntry").flatMap((o) => portProtocols(o.manifest)),
    );
    for (const entry of serviceEntries.filter((e) => otherOwner(e, owner, instance))) {
        for (const [port, protocol] of portProtocols(entry)) {
            const mine = plannedProtocols.get(port);
            if (mine === undefined || mine === protocol) continue;
            found.push(
                `port ${port} carries ${mine} here but ${protocol} in ${describe("ServiceEntry", entry)}, owned by ` +
                    `${otherOwner(entry, owner, instance)}: client sidecars keep one protocol per port, so one of the ` +
                    "two would stop working; use another port",
            );
        }
    }
    for (const object of objects.filter((o) => o.manifest.kind === "Sidecar" && namespaceWide(o.manifest))) {
        for (const rival of live.neighbours.get(object.key) ?? []) {
            if (rival.metadata.name === object.manifest.metadata.name || !namespaceWide(rival)) continue;
            found.push(
                `namespace ${object.manifest.metadata.namespace} already has the namespace-wide ` +
                    `${describe("Sidecar", rival)}, owned by ${otherOwner(rival, owner, instance) ?? "this component"}: ` +
                    "Istio applies only one Sidecar without a workloadSelector per namespace",
            );
        }
    }
    return found;
}
