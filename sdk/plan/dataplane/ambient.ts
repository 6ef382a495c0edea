// The data plane "AMBIENT": client pods have no sidecar; ztunnel sends a declared host's traffic over HBONE to the
// egress waypoint its ServiceEntry is bound to, which forwards it to the host (Istio, "Egress gateways" under
// Ambient: a waypoint in an egress namespace, per host a ServiceEntry with `istio.io/use-waypoint`, a DestinationRule
// for TLS origination, AuthorizationPolicies with `targetRefs`).
//
// Per host, in the waypoint's namespace: for the origination modes the app's port targets the host's TLS port and a
// DestinationRule originates TLS there; an AuthorizationPolicy on the ServiceEntry says who may use it; the
// ServiceEntry comes last, so the host is never reachable through the waypoint before its TLS and its sources are in
// place. What blocks undeclared hosts is `antiBypass` (required): ztunnel ignores REGISTRY_ONLY.
import { HostObjects } from "../../args";
import { hostObjectName } from "../../naming/hosts";
import { AmbientArgs } from "../../validate/normalized";
import { ObjectCollector } from "../collector";
import { HostContext, hostContext, hostObject } from "../context";
import { serviceEntry, upstreamOf } from "../declare";
import { gatewayServiceHost } from "../gateway";
import { Manifest } from "../manifest";
import { gatewayAccessLog, sourcesOf } from "../security";
import { HBONE_PORT, waypoint } from "../waypoint";
import { EgressPoint, secretReaders } from "./egressPoint";

/** The rule that originates TLS to the host, on the service port the app calls (its targetPort is the TLS port). */
function originationRule(args: AmbientArgs, context: HostContext, tls: Record<string, unknown>): Manifest {
    const { host, port } = context.host;
    // Port-level, as the sidecar recipe has it; istioctl analyze also reads only a top-level MUTUAL without
    // caCertificates as unverified (IST0128).
    const spec = { host, exportTo: ["."], trafficPolicy: { portLevelSettings: [{ port: { number: port }, tls }] } };
    return hostObject(context, "DestinationRule", spec, { name: hostObjectName(args.name, host, "tls") });
}

/**
 * Who may use the host through the waypoint, and for what, on its ServiceEntry alone: its `from` sources, else the
 * namespaces it is exported to (ztunnel does not apply a ServiceEntry's exportTo); for an HTTP app, only requests for
 * the host itself (the waypoint's route for a ServiceEntry takes any Host header).
 */
function hostPolicy(args: AmbientArgs, context: HostContext): Manifest | undefined {
    const { host } = context;
    const sources = host.sources
        ? sourcesOf(host)
        : context.clients.includes("*")
          ? []
          : [{ namespaces: context.clients }];
    const to =
        host.appProtocol === "HTTP" ? { to: [{ operation: { hosts: [host.host, `${host.host}:${host.port}`] } }] } : {};
    if (sources.length === 0 && !("to" in to)) return undefined;
    const rules = sources.length > 0 ? sources.map((source) => ({ from: [{ source }], ...to })) : [to];
    const targetRefs = [{ group: "networking.istio.io", kind: "ServiceEntry", name: context.objectName }];
    return hostObject(
        context,
        "AuthorizationPolicy",
        { targetRefs, action: "ALLOW", rules },
        { apiVersion: args.istio.apis.security },
    );
}

/**
 * The waypoints (one per waypoint namespace), then per host its objects in its waypoint's namespace (each after the
 * ones before), then each waypoint's access log.
 */
export function ambientEgressPoint(
    args: AmbientArgs,
    labels: Record<string, string>,
    collector: ObjectCollector,
): EgressPoint {
    const { add } = collector;
    const readingSecrets = new Set(
        args.hosts.filter((h) => h.origination?.credentialName).map((h) => args.waypointOf[h.host]),
    );
    const waypointKeys = new Map(
        args.waypointNamespaces.map((namespace) => [
            namespace,
            waypoint(args, labels, namespace, readingSecrets.has(namespace)).map((m) => add(m, "istio", [])),
        ]),
    );
    const hostObjects: Record<string, HostObjects> = {};
    for (const host of args.hosts) {
        const namespace = args.waypointOf[host.host];
        const context = hostContext(args, host, labels, namespace);
        const upstream = upstreamOf(context);
        const tls = upstream?.tls;
        const rule = tls && originationRule(args, context, tls);
        const policy = hostPolicy(args, context);
        const bound = {
            ...labels,
            "istio.io/use-waypoint": args.gateway.serviceName,
            "istio.io/use-waypoint-namespace": namespace,
        };
        // The waypoint connects to the host's TLS port itself: the app's port targets it.
        const entry = serviceEntry(context, {
            labels: bound,
            port: tls && upstream ? { targetPort: upstream.port } : {},
        });
        const ownWaypoint = waypointKeys.get(namespace) ?? [];
        const before = ownWaypoint.filter((key) => key.startsWith("Gateway/"));
        if (host.origination?.credentialName) before.push(...secretReaders(ownWaypoint));
        for (const manifest of [rule, policy, entry]) {
            if (manifest) before.push(add(manifest, "istio", [...before], host.host));
        }
        hostObjects[host.host] = {
            namespace: context.namespace,
            serviceEntry: entry.metadata.name,
            gateway: args.gateway.serviceName,
            routes: [],
            ...(rule ? { originationRule: rule.metadata.name } : {}),
            gatewayPort: HBONE_PORT,
        };
    }
    const waypointRef = { group: "gateway.networking.k8s.io", kind: "Gateway", name: args.gateway.serviceName };
    for (const namespace of args.waypointNamespaces) {
        for (const telemetry of gatewayAccessLog(args, labels, { targetRefs: [waypointRef] }, namespace)) {
            add(telemetry, "istio", []);
        }
    }
    return { host: gatewayServiceHost(args), ports: [{ number: HBONE_PORT, name: "mesh" }], hostObjects };
}
