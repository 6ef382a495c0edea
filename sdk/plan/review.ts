// What a reviewer reads before approving: the egress surface as a table, and the risky-but-legal setups.
import { resolvedPerName } from "../naming/hosts";
import { NEWEST_ISTIO_MINOR } from "../validate/istioRelease";
import { AmbientArgs, NormalizedArgs, NormalizedHost } from "../validate/normalized";
import { HBONE_PORT } from "./waypoint";
import { authorizesCallers } from "./security";

function sources(host: NormalizedHost): string {
    if (!host.sources) return "every workload";
    return host.sources
        .map((s) => (s.serviceAccount ? `${s.namespace}/${s.serviceAccount}` : `${s.namespace}/*`))
        .join(", ");
}

function ports(host: NormalizedHost): string {
    return host.externalPort === host.port ? String(host.port) : `${host.port} → ${host.externalPort}`;
}

function waypoints(args: AmbientArgs): string {
    const { serviceName } = args.gateway;
    if (args.waypointNamespaces.length === 1) return `waypoint: ${serviceName}.${args.waypointNamespaces[0]}`;
    return `waypoints: ${serviceName} in ${args.waypointNamespaces.join(", ")} (hosts spread by name)`;
}

/** Where a host arrives: its gateway port; under AMBIENT, HBONE to the waypoint (which one, when there are several). */
function arrival(args: NormalizedArgs, host: NormalizedHost): string {
    if (args.dataplane !== "AMBIENT") return String(host.gatewayPort);
    if (args.waypointNamespaces.length === 1) return `${HBONE_PORT} (HBONE)`;
    return `${HBONE_PORT} (HBONE, ${args.waypointOf[host.host]})`;
}

/** A markdown table: host, ports (app → external), mode, allowed sources, gateway port. */
export function reviewSummary(args: NormalizedArgs): string {
    const policy =
        args.policy.mode === "UNMANAGED"
            ? "outbound traffic policy: unmanaged"
            : `outbound traffic policy: ${args.policy.mode} (${args.policy.target}${
                  args.policy.namespaces.length > 0 ? `: ${args.policy.namespaces.join(", ")}` : ""
              })`;
    const rows = args.hosts.map((h) => `| ${h.host} | ${ports(h)} | ${h.mode} | ${sources(h)} | ${arrival(args, h)} |`);
    const egressPoint =
        args.dataplane === "AMBIENT"
            ? `data plane: AMBIENT; ${waypoints(args)}; undeclared hosts blocked for ambient pods by the antiBypass ` +
              `NetworkPolicies (${args.antiBypass.namespaces.join(", ")})`
            : `gateway hop: ${args.hopTls}; routes: ${args.routingApi}; gateway: ${args.gateway.serviceName}.${args.gateway.namespace}`;
    return [
        `${policy}; ${egressPoint}`,
        "",
        "| host | ports | mode | allowed sources | gateway port |",
        "|---|---|---|---|---|",
        ...rows,
    ].join("\n");
}

/**
 * Hosts one egress waypoint takes before istiod's build of it passes about half a second (mesh-side benchmark: policies
 * are matched per host against every policy of the namespace).
 */
const AMBIENT_WAYPOINT_HOSTS = 500;

/** The waypoint namespace with the most hosts, and how many. */
function busiestWaypoint(args: AmbientArgs): { namespace: string; hosts: number } {
    const counts = new Map(args.waypointNamespaces.map((namespace) => [namespace, 0]));
    for (const host of args.hosts) {
        const namespace = args.waypointOf[host.host];
        counts.set(namespace, (counts.get(namespace) ?? 0) + 1);
    }
    const [namespace, hosts] = [...counts].reduce((a, b) => (b[1] > a[1] ? b : a));
    return { namespace, hosts };
}

/** Legal setups a reviewer should hear about (Pulumi warnings, not errors). */
export function riskWarnings(args: NormalizedArgs): string[] {
    const warnings: string[] = [];
    if (args.istio.minor > NEWEST_ISTIO_MINOR) {
        warnings.push(
            `istio.version ${args.istio.version} is newer than the newest release MeshEgress is tested with, ` +
                `1.${NEWEST_ISTIO_MINOR}: it emits what 1.${NEWEST_ISTIO_MINOR} serves`,
        );
    }
    if (args.dataplane === "AMBIENT") {
        warnings.push(
            "dataplane is AMBIENT: ztunnel does not apply the outbound traffic policy, so in ambient namespaces only " +
                `the antiBypass NetworkPolicies block undeclared hosts (${args.antiBypass.namespaces.join(", ")}); ` +
                "ambient pods in any other namespace reach every host directly",
        );
    }
    const busiest = args.dataplane === "AMBIENT" ? busiestWaypoint(args) : undefined;
    if (busiest && busiest.hosts > AMBIENT_WAYPOINT_HOSTS) {
        warnings.push(
            `${busiest.hosts} hosts on the egress waypoint in ${busiest.namespace}: istiod's time to build a waypoint grows with the ` +
                "square of its hosts' AuthorizationPolicies (1–2 s at 1,000 hosts, 37–135 s at 5,000; " +
                "BENCHMARKS.md), on every change that concerns it; spread the hosts across waypoints (gateway.shardNamespaces), " +
                "or use the SIDECAR data plane (docs/ambient.md#scale)",
        );
    }
    if (args.policy.mode === "REGISTRY_ONLY" && args.hosts.length === 0) {
        warnings.push(
            "outboundTrafficPolicy.mode is REGISTRY_ONLY and no hosts are declared: every external host will be " +
                "blocked for the whole mesh",
        );
    }
    if (args.policy.mode === "AUDIT") {
        const scope =
            args.policy.target === "NAMESPACE_SIDECARS"
                ? `namespace(s) ${args.policy.namespaces.join(", ")}`
                : "the mesh (ingress gateways included)";
        warnings.push(
            `outboundTrafficPolicy.mode is AUDIT: nothing undeclared is blocked, and every proxy of ${scope} ` +
                "access-logs only calls to undeclared hosts while it is on (Istio's Telemetry replaces the mesh " +
                "config's accessLogFile there); see docs/audit.md",
        );
    }
    for (const host of args.hosts.filter(resolvedPerName)) {
        const who = host.sources ? `its sources (${sources(host)})` : "every workload that may use it";
        warnings.push(
            `${host.host} lets ${who} reach every name under it on port ${host.port}, each resolved by the egress ` +
                "point when a request asks for it, names that do not exist yet included; narrow it with `from`, or " +
                "declare the names you call (docs/modes.md#wildcards-resolved-name-by-name)",
        );
    }
    for (const host of args.hosts.filter((h) => h.tcp && h.tcp.addresses.length === 0)) {
        warnings.push(
            `${host.host} is TCP on port ${host.port} without addresses: every TCP connection to port ${host.port}, to ` +
                "any address, goes to it through the gateway (istioctl analyze IST0134); give it `addresses`",
        );
    }
    if (authorizesCallers(args)) {
        if (args.policy.mode === "ALLOW_ANY" || args.policy.mode === "AUDIT") {
            warnings.push(
                `hosts restrict their sources but outboundTrafficPolicy.mode is ${args.policy.mode}: any workload can still reach ` +
                    "those hosts directly, around the gateway and its rules; use REGISTRY_ONLY (and antiBypass)",
            );
        }
        const open = args.hosts.filter((h) => !h.sources).map((h) => h.host);
        if (open.length > 0) {
            warnings.push(
                `${open.join(", ")} ${open.length === 1 ? "is" : "are"} reachable from every namespace while other hosts ` +
                    "restrict their sources; add `from` if that is not intended",
            );
        }
    }
    return warnings;
}
