// What a reviewer reads before approving: the egress surface as a table, and the risky-but-legal setups.
import { NEWEST_ISTIO_MINOR } from "../validate/istioRelease";
import { NormalizedArgs, NormalizedHost } from "../validate/normalized";
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

/** A markdown table: host, ports (app → external), mode, allowed sources, gateway port. */
export function reviewSummary(args: NormalizedArgs): string {
    const policy =
        args.policy.mode === "UNMANAGED"
            ? "outbound traffic policy: unmanaged"
            : `outbound traffic policy: ${args.policy.mode} (${args.policy.target}${
                  args.policy.namespaces.length > 0 ? `: ${args.policy.namespaces.join(", ")}` : ""
              })`;
    // Under AMBIENT every host reaches the waypoint over HBONE.
    const arrival = (h: NormalizedHost) => (args.dataplane === "AMBIENT" ? `${HBONE_PORT} (HBONE)` : h.gatewayPort);
    const rows = args.hosts.map((h) => `| ${h.host} | ${ports(h)} | ${h.mode} | ${sources(h)} | ${arrival(h)} |`);
    const egressPoint =
        args.dataplane === "AMBIENT"
            ? `data plane: AMBIENT; waypoint: ${args.gateway.serviceName}.${args.gateway.namespace}; undeclared hosts ` +
              `blocked for ambient pods by the antiBypass NetworkPolicies (${args.antiBypass.namespaces.join(", ")})`
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
export const AMBIENT_WAYPOINT_HOSTS = 500;

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
    if (args.dataplane === "AMBIENT" && args.hosts.length > AMBIENT_WAYPOINT_HOSTS) {
        warnings.push(
            `${args.hosts.length} hosts on one egress waypoint: istiod's time to build the waypoint grows with the ` +
                "square of its hosts' AuthorizationPolicies (about 2 s at 1,000 hosts, over 2 minutes at 5,000; " +
                "BENCHMARKS.md), on every change that concerns it; keep one waypoint to hundreds of hosts, or use the SIDECAR data plane (docs/ambient.md#scale)",
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
