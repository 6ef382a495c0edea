// The data plane "SIDECAR": client sidecars send each declared host to the egress gateway, which sends it on to the
// host. The gateway is MeshEgress's own Deployment (gateway.ts), ASM's IstioGateway, or an existing one; each host is
// reached through a hop alias of its own and routed in the chosen routing API (route/).
//
// The hop alias is a ServiceEntry of the host's own (MESH_INTERNAL, its endpoints the gateway pods through a
// workloadSelector) with a DestinationRule of its own. Every client cluster for the gateway is therefore one per host,
// with no term in hosts × gateway ports (a subset of the gateway Service would be one cluster per port of that
// Service, and per-host DestinationRules on one host are merged by istiod at quadratic cost), and each host's alias is
// visible only where the host is (`from`, `exportTo`).
import { GatewayHopTls, HostObjects, RoutingApi } from "../../args";
import { hopAlias, hopSni, hostObjectName, upstreamAlias } from "../../naming/hosts";
import { SidecarArgs } from "../../validate/normalized";
import { asmIstioGateway } from "../asmGateway";
import { auditListeners, auditTelemetry } from "../audit";
import { ObjectCollector } from "../collector";
import { hostContext, hostObject } from "../context";
import { serviceEntry, upstreamOf } from "../declare";
import { boundExistingService, gatewayPorts, gatewayServiceHost, gatewayWorkload, podPort } from "../gateway";
import { Manifest } from "../manifest";
import { Upstream } from "../modes";
import { gatewayApiRouting, sharedGateway, sharedGatewayName } from "../route/gatewayApi";
import { istioRouting } from "../route/istio";
import { RoutedHost } from "../route/routed";
import { gatewayAccessLog, gatewaySourceDenials } from "../security";
import { EgressPoint, secretReaders } from "./egressPoint";

/**
 * An address no packet is ever sent to (240.0.0.0/4 is reserved and never routed). A non-HTTP hop alias is declared
 * on it, so that its entry on client sidecars is a listener of its own: declared on the app's port of every address
 * (no address), its SNI filter chain would add a TLS inspector to that port's listener, which waits for five bytes from
 * the client before routing — and a protocol whose client speaks second (MySQL) or sends less would hang.
 */
export const HOP_ALIAS_ADDRESS = "240.240.240.240";

/**
 * The Host forms the gateway takes for a wildcard it resolves per name. Its dynamic forward proxy connects to the
 * port the Host names, else to 80 (443 when it originates TLS): so the name alone, or with the app's own port; never
 * another port, which would let a client reach any port of any name under the wildcard.
 */
function perNameAuthority(port: number, upstream: Upstream): string {
    const name = "[^:]+";
    if (upstream.tls) return name;
    return port === 80 ? `${name}(:80)?` : `${name}:${port}`;
}

function routedHost(args: SidecarArgs, context: ReturnType<typeof hostContext>, upstream?: Upstream): RoutedHost {
    const { host } = context;
    return {
        ...context,
        hopAlias: hopAlias(args.name, host.host),
        gatewayRouteName: hostObjectName(args.name, host.host, "gateway"),
        gatewayRef: `${context.namespace}/${context.objectName}`,
        sharedGatewayName: sharedGatewayName(args),
        gatewaySelector: args.gateway.selector,
        mutualHop: args.hopTls === GatewayHopTls.IstioMutual,
        to: upstream
            ? {
                  host: upstreamAlias(args.name, host.host, upstream.perName),
                  port: upstream.port,
                  gatewayOnly: true,
                  ...(upstream.perName ? { authority: perNameAuthority(host.port, upstream) } : {}),
              }
            : { host: host.host, port: host.port, gatewayOnly: false },
    };
}

/**
 * The hop alias and its DestinationRule. The alias port's protocol only shapes the alias's own entry on client
 * sidecars: HTTP adds a virtual host named after the alias to the port's route; anything else is declared TLS on
 * HOP_ALIAS_ADDRESS, a listener that only matches the alias name as SNI and never takes an app's traffic.
 */
function hopObjects(args: SidecarArgs, context: RoutedHost): Manifest[] {
    const { appProtocol, gatewayPort } = context.host;
    const protocol = appProtocol === "HTTP" ? "HTTP" : "TLS";
    const alias = {
        hosts: [context.hopAlias],
        ...(protocol === "HTTP" ? {} : { addresses: [HOP_ALIAS_ADDRESS] }),
        location: "MESH_INTERNAL",
        resolution: "STATIC",
        workloadSelector: { labels: context.gatewaySelector },
        ports: [
            {
                number: gatewayPort,
                name: `${protocol.toLowerCase()}-${gatewayPort}`,
                protocol,
                targetPort: podPort(args, gatewayPort),
            },
        ],
        exportTo: context.clients,
    };
    // mTLS to the gateway is never automatic (istio/istio#23910); the plain hop says DISABLE so that automatic mTLS
    // cannot wrap it either.
    const tls = context.mutualHop ? { mode: "ISTIO_MUTUAL", sni: hopSni(context.host) } : { mode: "DISABLE" };
    return [
        hostObject(context, "ServiceEntry", alias, { name: hostObjectName(args.name, context.host.host, "hop") }),
        hostObject(context, "DestinationRule", {
            host: context.hopAlias,
            exportTo: context.clients,
            trafficPolicy: { tls },
        }),
    ];
}

/**
 * The objects only the gateway's namespace sees for a host it does not reach on the app's port: the alias of the
 * server it connects to (so that no client sees the server's port), and the rule that originates TLS there. A
 * wildcard resolved per name has a wildcard alias with DYNAMIC_DNS: istiod gives the gateway a dynamic forward proxy
 * for it, which resolves the name of each request (its Host header) there, and no client sees it.
 */
function upstreamObjects(
    args: SidecarArgs,
    context: RoutedHost,
    upstream: Upstream,
): { originationRule?: Manifest; serviceEntry: Manifest } {
    const name = (role: string) => ({ name: hostObjectName(args.name, context.host.host, role) });
    const { host: alias, port } = context.to;
    const aliasEntry = {
        hosts: [alias],
        location: "MESH_EXTERNAL",
        ...(upstream.perName
            ? { resolution: "DYNAMIC_DNS" }
            : { resolution: "DNS", endpoints: [{ address: upstream.server }] }),
        ports: [{ number: port, name: `${upstream.protocol.toLowerCase()}-${port}`, protocol: upstream.protocol }],
        exportTo: ["."],
    };
    const origination = upstream.tls && {
        host: alias,
        exportTo: ["."],
        trafficPolicy: { portLevelSettings: [{ port: { number: port }, tls: upstream.tls }] },
    };
    return {
        ...(origination ? { originationRule: hostObject(context, "DestinationRule", origination, name("tls")) } : {}),
        serviceEntry: hostObject(context, "ServiceEntry", aliasEntry, name("upstream")),
    };
}

/** The gateway, then per host its declaration, hop, source rule and routes, then the gateway's access log and audit. */
export function sidecarEgressPoint(
    args: SidecarArgs,
    labels: Record<string, string>,
    collector: ObjectCollector,
): EgressPoint {
    const { add } = collector;
    const workloadKeys = gatewayWorkload(args, labels).map((m) => add(m, "workload", []));
    const asmKeys = asmIstioGateway(args, labels).map((m) => add(m, "istio", []));
    // What makes the gateway listen: its Service, or the IstioGateway that has ASM create one.
    const serviceKey = workloadKeys.find((key) => key.startsWith("Service/")) ?? asmKeys[0];
    const gatewayApi = args.routingApi === RoutingApi.GatewayApi;
    // Gateway API: the host's ListenerSet needs the shared Gateway, and the Gateway needs the Service it binds to.
    const sharedKeys = gatewayApi ? [add(sharedGateway(args, labels), "istio", serviceKey ? [serviceKey] : [])] : [];
    const hostObjects: Record<string, HostObjects> = {};
    const denials = gatewaySourceDenials(args, labels);
    for (const host of args.hosts) {
        const base = hostContext(args, host, labels);
        const upstream = upstreamOf(base);
        const context = routedHost(args, base, upstream);
        const routing = gatewayApi ? gatewayApiRouting(context) : istioRouting(context);
        const [hopEntry, hopRule] = hopObjects(args, context);
        // Clients never resolve a host the gateway resolves per name: they only match it and send it to the gateway.
        const declared = serviceEntry(context, upstream?.perName ? { resolution: "NONE" } : {});
        const prerequisites = [
            add(declared, "istio", [], host.host),
            add(hopEntry, "istio", [], host.host),
            add(hopRule, "istio", [], host.host),
            add(routing.listener, "istio", sharedKeys, host.host),
        ];
        const aliased = upstream && upstreamObjects(args, context, upstream);
        if (aliased?.originationRule) {
            const readers = host.origination?.credentialName ? secretReaders(workloadKeys) : [];
            prerequisites.push(add(aliased.originationRule, "istio", readers, host.host));
        }
        if (aliased) prerequisites.push(add(aliased.serviceEntry, "istio", [], host.host));
        // The host's DENY before its routes: a route without it would be open to every caller.
        const denial = denials.get(host.host);
        if (denial) prerequisites.push(add(denial, "istio", [], host.host));
        // Routes last: a route pointing at a gateway that does not listen yet drops traffic.
        const routeAfter = serviceKey ? [...prerequisites, serviceKey] : prerequisites;
        for (const route of routing.routes) add(route, "istio", routeAfter, host.host);
        hostObjects[host.host] = {
            namespace: context.namespace,
            serviceEntry: context.objectName,
            hopServiceEntry: hopEntry.metadata.name,
            gateway: routing.listener.metadata.name,
            destinationRule: hopRule.metadata.name,
            ...(gatewayApi ? {} : { virtualService: context.objectName }),
            routes: routing.routes.map((route) => `${route.kind}/${route.metadata.name}`),
            ...(aliased?.originationRule ? { originationRule: aliased.originationRule.metadata.name } : {}),
            gatewayPort: host.gatewayPort,
        };
    }
    for (const telemetry of gatewayAccessLog(args, labels)) add(telemetry, "istio", []);
    for (const telemetry of auditTelemetry(args, labels)) add(telemetry, "istio", []);
    for (const listeners of auditListeners(args, labels)) add(listeners, "istio", []);
    return {
        host: gatewayServiceHost(args),
        ports: gatewayPorts(args),
        boundService: boundExistingService(args),
        hostObjects,
    };
}
