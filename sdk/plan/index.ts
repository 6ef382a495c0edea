// The pure plan: normalized arguments in, every Kubernetes object MeshEgress manages out, with stable keys and
// dependencies. No Pulumi here, so tests, benchmarks and review summaries share it.
import { asmIstioGateway } from "./asmGateway";
import { auditListeners, auditTelemetry } from "./audit";
import { Dataplane, EgressMode, HostObjects, RoutingApi } from "../args";
import { fitName } from "../validate/kubernetes";
import { NormalizedArgs, NormalizedHost } from "../validate/normalized";
import {
    BoundGatewayService,
    GatewayPort,
    boundExistingService,
    podPort,
    gatewayPorts,
    gatewayServiceHost,
    gatewayWorkload,
} from "./gateway";
import { HostContext, HostRecipe, HostRouting, istioRouting } from "./host";
import { gatewayApiRouting, sharedGateway, sharedGatewayName } from "./gatewayApi";
import { httpRecipe } from "./http";
import { ObjectCollector, objectCollector, resourceName } from "./collector";
import { PlannedObject } from "./manifest";
import { hopAlias, hostObjectName } from "./names";
import { MeshConfigEdit, PolicyPlan, outboundPolicy } from "./policy";
import { HBONE_PORT, ambientHost, waypoint, waypointHost } from "./ambient";
import { reviewSummary, riskWarnings } from "./review";
import { antiBypassPolicies, gatewayAccessLog, gatewayAuthorization } from "./security";
import { originationRecipe } from "./origination";
import { tcpRecipe } from "./tcp";
import { tlsPassthroughRecipe } from "./tlsPassthrough";

export { PlannedObject, Manifest, TargetCluster } from "./manifest";
export { MeshConfigEdit } from "./policy";

const RECIPES: Record<EgressMode, (context: HostContext, componentName: string) => HostRecipe> = {
    HTTP: (context) => httpRecipe(context),
    TLS_PASSTHROUGH: tlsPassthroughRecipe,
    TLS_ORIGINATION: originationRecipe,
    MUTUAL_TLS_ORIGINATION: originationRecipe,
    TCP: tcpRecipe,
};

export interface EgressPlan {
    /** In an order where every object comes after its dependencies. */
    objects: PlannedObject[];
    /** Present when the policy is written into the mesh config; it depends on every object. */
    meshConfigEdit?: MeshConfigEdit;
    gatewayHost: string;
    gatewayNamespace: string;
    gatewayPorts: GatewayPort[];
    /** A Service MeshEgress relies on without creating it: the cluster check reads its ports. */
    boundService?: BoundGatewayService;
    policyMode: NormalizedArgs["policy"]["mode"];
    hostObjects: Record<string, HostObjects>;
    /** The egress surface as a markdown table, for reviewers. */
    summary: string;
    /** Risky but legal setups. */
    warnings: string[];
}

const MANAGED_BY_LABELS = { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "mesh-egress" };

/**
 * The namespaces whose sidecars may use a host: those its `from` rules name, else `exportTo` ("." spelled as the
 * gateway namespace, which Istio resolves consistently for every kind, the root namespace included).
 */
function clientsOf(args: NormalizedArgs, host: NormalizedHost): string[] {
    const namespaces = host.sources ? host.sources.map((s) => s.namespace) : args.exportTo;
    return [...new Set(namespaces.map((n) => (n === "." ? args.gateway.namespace : n)))].sort();
}

function hostContext(args: NormalizedArgs, host: NormalizedHost, labels: Record<string, string>): HostContext {
    const objectName = hostObjectName(args.name, host.host);
    return {
        host,
        objectName,
        namespace: args.gateway.namespace,
        hopAlias: hopAlias(args.name, host.host),
        hopAliasName: hostObjectName(args.name, host.host, "hop"),
        gatewayRouteName: hostObjectName(args.name, host.host, "gateway"),
        gatewayRef: `${args.gateway.namespace}/${objectName}`,
        sharedGatewayName: sharedGatewayName(args),
        gatewaySelector: args.gateway.selector,
        gatewayPodPort: podPort(args, host.gatewayPort),
        networkingApi: args.istio.apis.networking,
        hopTls: args.hopTls,
        clients: clientsOf(args, host),
        labels,
        annotations: { "mesh-egress.io/host": host.host },
    };
}

/**
 * The Role and RoleBinding that let the egress proxy read credentialName Secrets. A rule naming a credential waits
 * for them: istiod checks the proxy's right to read the Secret when the rule reaches it, remembers a refusal, and
 * does not ask again when the binding appears later, so the host would answer 503 until the proxy restarts.
 */
function secretReaders(keys: string[]): string[] {
    return keys.filter((key) => key.startsWith("Role/") || key.startsWith("RoleBinding/"));
}

/** Enforcement last, depending on every route: no declared host is blocked or denied during a rollout. */
function addEnforcement(
    args: NormalizedArgs,
    labels: Record<string, string>,
    { objects, add }: ObjectCollector,
    portNumbers: number[],
): PolicyPlan {
    const routes = objects.map((o) => o.key);
    for (const networkPolicy of antiBypassPolicies(args, labels, portNumbers)) add(networkPolicy, "workload", routes);
    const policy = outboundPolicy(args, labels);
    for (const sidecar of policy.sidecars) add(sidecar, "istio", routes);
    return policy;
}

/** The ambient data plane: the waypoint, then per host its objects (ambient.ts), then enforcement. */
function buildAmbientPlan(args: NormalizedArgs, labels: Record<string, string>): EgressPlan {
    const collector = objectCollector((manifest) => resourceName(args.name, manifest));
    const { add } = collector;
    const waypointKeys = waypoint(args, labels).map((m) => add(m, "istio", []));
    const waypointKey = waypointKeys.find((key) => key.startsWith("Gateway/"));
    const hostObjects: Record<string, HostObjects> = {};
    for (const host of args.hosts) {
        const planned = ambientHost(args, host, labels);
        const before: string[] = waypointKey ? [waypointKey] : [];
        if (host.origination?.credentialName) before.push(...secretReaders(waypointKeys));
        for (const manifest of planned.objects) before.push(add(manifest, "istio", [...before], host.host));
        hostObjects[host.host] = {
            namespace: args.gateway.namespace,
            serviceEntry: planned.serviceEntry,
            hopServiceEntry: "",
            gateway: args.gateway.serviceName,
            destinationRule: planned.originationRule,
            virtualService: "",
            routes: [],
            originationRule: planned.originationRule,
            gatewayPort: HBONE_PORT,
        };
    }
    const waypointRef = { group: "gateway.networking.k8s.io", kind: "Gateway", name: args.gateway.serviceName };
    for (const telemetry of gatewayAccessLog(args, labels, { targetRefs: [waypointRef] })) add(telemetry, "istio", []);
    const policy = addEnforcement(args, labels, collector, [HBONE_PORT]);
    return {
        objects: collector.objects,
        meshConfigEdit: policy.meshConfigEdit,
        gatewayHost: waypointHost(args),
        gatewayNamespace: args.gateway.namespace,
        gatewayPorts: [{ number: HBONE_PORT, name: "mesh" }],
        policyMode: args.policy.mode,
        hostObjects,
        summary: reviewSummary(args),
        warnings: riskWarnings(args),
    };
}

export function buildPlan(args: NormalizedArgs): EgressPlan {
    const labels = { ...MANAGED_BY_LABELS, "mesh-egress.io/instance": fitName(args.name) };
    if (args.dataplane === Dataplane.Ambient) return buildAmbientPlan(args, labels);
    const collector = objectCollector((manifest) => resourceName(args.name, manifest));
    const { objects, add } = collector;

    const workloadKeys = gatewayWorkload(args, labels).map((m) => add(m, "workload", []));
    const asmKeys = asmIstioGateway(args, labels).map((m) => add(m, "istio", []));
    // What makes the gateway listen: its Service, or the IstioGateway that has ASM create one.
    const serviceKey = workloadKeys.find((key) => key.startsWith("Service/")) ?? asmKeys[0];
    const gatewayApi = args.routingApi === RoutingApi.GatewayApi;
    // Gateway API: the host's ListenerSet needs the shared Gateway, and the Gateway needs the Service it binds to.
    const sharedKeys = gatewayApi ? [add(sharedGateway(args, labels), "istio", serviceKey ? [serviceKey] : [])] : [];
    const hostObjects: Record<string, HostObjects> = {};
    for (const host of args.hosts) {
        const context = hostContext(args, host, labels);
        const recipe = RECIPES[host.mode](context, args.name);
        const routing: HostRouting = gatewayApi ? gatewayApiRouting(context, args.name) : istioRouting(recipe);
        const prerequisites = [
            add(recipe.serviceEntry, "istio", [], host.host),
            add(recipe.hopServiceEntry, "istio", [], host.host),
            add(recipe.destinationRule, "istio", [], host.host),
            add(routing.listener, "istio", sharedKeys, host.host),
        ];
        if (recipe.originationRule) {
            const readers = host.origination?.credentialName ? secretReaders(workloadKeys) : [];
            prerequisites.push(add(recipe.originationRule, "istio", readers, host.host));
        }
        if (recipe.upstreamServiceEntry) prerequisites.push(add(recipe.upstreamServiceEntry, "istio", [], host.host));
        // Routes last: a route pointing at a gateway that does not listen yet drops traffic.
        const routeAfter = serviceKey ? [...prerequisites, serviceKey] : prerequisites;
        for (const route of routing.routes) add(route, "istio", routeAfter, host.host);
        hostObjects[host.host] = {
            namespace: context.namespace,
            serviceEntry: context.objectName,
            hopServiceEntry: context.hopAliasName,
            gateway: routing.listener.metadata.name,
            destinationRule: context.objectName,
            virtualService: gatewayApi ? "" : context.objectName,
            routes: routing.routes.map((route) => `${route.kind}/${route.metadata.name}`),
            originationRule: recipe.originationRule?.metadata.name ?? "",
            gatewayPort: host.gatewayPort,
        };
    }

    for (const telemetry of gatewayAccessLog(args, labels)) add(telemetry, "istio", []);
    for (const telemetry of auditTelemetry(args, labels)) add(telemetry, "istio", []);
    for (const listeners of auditListeners(args, labels)) add(listeners, "istio", []);

    // Enforcement comes last and depends on every route, so no declared host is ever blocked or denied during a
    // rollout, and on destroy the previous policy is back before any route disappears.
    const routes = objects.map((o) => o.key);
    for (const allow of gatewayAuthorization(args, labels)) add(allow, "istio", routes);
    const ports = gatewayPorts(args);
    const policy = addEnforcement(
        args,
        labels,
        collector,
        ports.map((p) => p.number),
    );

    return {
        objects,
        meshConfigEdit: policy.meshConfigEdit,
        gatewayHost: gatewayServiceHost(args),
        gatewayNamespace: args.gateway.namespace,
        gatewayPorts: ports,
        boundService: boundExistingService(args),
        policyMode: args.policy.mode,
        hostObjects,
        summary: reviewSummary(args),
        warnings: riskWarnings(args),
    };
}
