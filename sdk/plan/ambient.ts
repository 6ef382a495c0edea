// The data plane "AMBIENT": client pods have no sidecar; ztunnel sends a declared host's traffic over HBONE to the
// egress waypoint its ServiceEntry is bound to, which forwards it to the host (Istio, "Egress gateways" under
// Ambient: a waypoint in an egress namespace, per host a ServiceEntry with `istio.io/use-waypoint`, a
// DestinationRule for TLS origination, AuthorizationPolicies with `targetRefs`).
//
// - The waypoint: a Gateway API `Gateway` of class `istio-waypoint` (Istio deploys its pods), its replicas,
//   autoscaler, PodDisruptionBudget and pod placement in a parameters ConfigMap; or an existing waypoint.
// - Per host, in the waypoint's namespace: the ServiceEntry, bound to the waypoint; for the origination modes the
//   app's port targets the host's TLS port and a DestinationRule originates TLS there; for `from`, an
//   AuthorizationPolicy on the ServiceEntry. The ServiceEntry comes last, so the host is never reachable through the
//   waypoint before its TLS and its sources are in place.
// - What blocks undeclared hosts is `antiBypass` (required): ztunnel ignores REGISTRY_ONLY.
import { stringify } from "yaml";
import { GATEWAY_NAME_LABEL } from "../validate/ambient";
import { NormalizedArgs, NormalizedHost } from "../validate/normalized";
import { DEFAULT_RESOURCES, cpuAutoscaling, secretReader, spreadAcrossNodes } from "./gateway";
import { GATEWAY_API_VERSION } from "./gatewayApi";
import { Manifest } from "./manifest";
import { derivedName, hostObjectName } from "./names";

/** The port ztunnel reaches a waypoint on (HBONE). */
export const HBONE_PORT = 15008;

/** One host's objects, in creation order. */
export interface AmbientHost {
    host: NormalizedHost;
    objects: Manifest[];
    serviceEntry: string;
    originationRule: string;
}

const PROTOCOL = { HTTP: "HTTP", TLS: "TLS", TCP: "TCP" } as const;

export function waypointHost(args: NormalizedArgs): string {
    return `${args.gateway.serviceName}.${args.gateway.namespace}.svc.cluster.local`;
}

/** The waypoint MeshEgress creates (none for an existing one), with its parameters when there are any. */
export function waypoint(args: NormalizedArgs, labels: Record<string, string>): Manifest[] {
    const { serviceName: name, namespace, workload } = args.gateway;
    if (!workload) return [];
    const metadata: Manifest["metadata"] = {
        name,
        namespace,
        labels: { ...labels, "istio.io/waypoint-for": "service" },
    };
    if (Object.keys(workload.annotations).length > 0) metadata.annotations = workload.annotations;
    const parameters = derivedName(name, "parameters");
    // Istio's waypoint runs as ServiceAccount <name>; istiod serves it a credentialName Secret only if it may read it.
    const secrets = args.hosts.some((h) => h.origination?.credentialName)
        ? secretReader(args, { name, namespace, labels })
        : [];
    return [
        {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { ...metadata, name: parameters, labels },
            data: waypointParameters(args),
        },
        {
            apiVersion: GATEWAY_API_VERSION,
            kind: "Gateway",
            metadata,
            spec: {
                gatewayClassName: "istio-waypoint",
                infrastructure: { parametersRef: { group: "", kind: "ConfigMap", name: parameters } },
                // allowedRoutes as the API server defaults it, so that the live object equals the planned one.
                listeners: [
                    {
                        name: "mesh",
                        port: HBONE_PORT,
                        protocol: "HBONE",
                        allowedRoutes: { namespaces: { from: "Same" } },
                    },
                ],
            },
        },
        ...secrets,
    ];
}

/**
 * Istio's parameters for the waypoint it deploys: YAML merged into its Deployment, HorizontalPodAutoscaler and
 * PodDisruptionBudget (Istio's "Gateway deployment customization").
 */
function waypointParameters(args: NormalizedArgs): Record<string, string> {
    const workload = args.gateway.workload!;
    const selector = { [GATEWAY_NAME_LABEL]: args.gateway.serviceName };
    const podSpec: Record<string, unknown> = {
        // Istio merges this into its waypoint template, whose proxy already has requests and limits: replace them
        // whole, so the pod gets exactly these (a request above a template limit would make the Deployment invalid).
        containers: [
            { name: "istio-proxy", resources: { $patch: "replace", ...(workload.resources ?? DEFAULT_RESOURCES) } },
        ],
    };
    if (workload.nodeSelector !== undefined) podSpec.nodeSelector = workload.nodeSelector;
    if (workload.tolerations !== undefined) podSpec.tolerations = workload.tolerations;
    if (workload.spreadAcrossNodes) podSpec.topologySpreadConstraints = spreadAcrossNodes(selector);
    const deployment: Record<string, unknown> = { template: { spec: podSpec } };
    if (!workload.autoscaling) deployment.replicas = workload.replicas;
    const data: Record<string, string> = { deployment: stringify({ spec: deployment }) };
    if (workload.autoscaling) {
        data.horizontalPodAutoscaler = stringify({ spec: cpuAutoscaling(workload.autoscaling) });
    }
    if (workload.podDisruptionBudget.enabled) {
        data.podDisruptionBudget = stringify({ spec: { maxUnavailable: workload.podDisruptionBudget.maxUnavailable } });
    }
    return data;
}

/** Namespaces whose workloads may use a host: its `from` namespaces, else `exportTo` ("." is the waypoint's). */
function clients(args: NormalizedArgs, host: NormalizedHost): string[] {
    const namespaces = host.sources ? host.sources.map((s) => s.namespace) : args.exportTo;
    return [...new Set(namespaces.map((n) => (n === "." ? args.gateway.namespace : n)))].sort();
}

/** Where the host's ServiceEntry is visible: its clients, and the waypoint's namespace. */
function visibility(args: NormalizedArgs, host: NormalizedHost): string[] {
    const namespaces = clients(args, host);
    return namespaces.includes("*") ? ["*"] : [...new Set([...namespaces, args.gateway.namespace])].sort();
}

function hostObject(
    args: NormalizedArgs,
    host: NormalizedHost,
    kind: string,
    spec: Record<string, unknown>,
    options: { labels: Record<string, string>; apiVersion?: string; role?: string },
): Manifest {
    return {
        apiVersion: options.apiVersion ?? args.istio.apis.networking,
        kind,
        metadata: {
            name: hostObjectName(args.name, host.host, options.role),
            namespace: args.gateway.namespace,
            labels: options.labels,
            annotations: { "mesh-egress.io/host": host.host },
        },
        spec,
    };
}

export function ambientHost(args: NormalizedArgs, host: NormalizedHost, labels: Record<string, string>): AmbientHost {
    const objects: Manifest[] = [];
    const port: Record<string, unknown> = {
        number: host.port,
        name: `${PROTOCOL[host.appProtocol].toLowerCase()}-${host.port}`,
        protocol: PROTOCOL[host.appProtocol],
    };
    let originationRule = "";
    if (host.origination) {
        // The app sends plain HTTP to its port; the waypoint connects to the host's TLS port and originates TLS.
        port.targetPort = host.externalPort;
        const { mode, sni, credentialName, caCertificates, subjectAltNames } = host.origination;
        const tls: Record<string, unknown> = { mode, sni };
        if (credentialName) tls.credentialName = credentialName;
        if (caCertificates) tls.caCertificates = caCertificates;
        if (subjectAltNames) tls.subjectAltNames = subjectAltNames;
        const rule = hostObject(
            args,
            host,
            "DestinationRule",
            // Port-level, on the service port the app calls (its targetPort is the TLS port), as the sidecar recipe
            // has it; istioctl analyze also reads only a top-level MUTUAL without caCertificates as unverified (IST0128).
            {
                host: host.host,
                exportTo: ["."],
                trafficPolicy: { portLevelSettings: [{ port: { number: host.port }, tls }] },
            },
            { role: "tls", labels },
        );
        originationRule = rule.metadata.name;
        objects.push(rule);
    }
    const policy = hostPolicy(args, host, labels);
    if (policy) objects.push(policy);
    const spec: Record<string, unknown> = {
        hosts: [host.host],
        location: "MESH_EXTERNAL",
        // A wildcard: the waypoint resolves each name itself, from the request's Host or the TLS SNI.
        resolution: host.host.startsWith("*.") ? "DYNAMIC_DNS" : host.tcp?.endpoints.length ? "STATIC" : "DNS",
        ports: [port],
        exportTo: visibility(args, host),
    };
    if (host.tcp?.addresses.length) spec.addresses = host.tcp.addresses;
    if (host.tcp?.endpoints.length) spec.endpoints = host.tcp.endpoints.map((address) => ({ address }));
    const serviceEntry = hostObject(args, host, "ServiceEntry", spec, {
        labels: {
            ...labels,
            "istio.io/use-waypoint": args.gateway.serviceName,
            "istio.io/use-waypoint-namespace": args.gateway.namespace,
        },
    });
    objects.push(serviceEntry);
    return { host, objects, serviceEntry: serviceEntry.metadata.name, originationRule };
}

/**
 * Who may use the host through the waypoint, and for what, on its ServiceEntry alone: its `from` sources, else the
 * namespaces it is exported to (ztunnel does not apply a ServiceEntry's exportTo); for an HTTP app, only requests for
 * the host itself (the waypoint's route for a ServiceEntry takes any Host header).
 */
function hostPolicy(args: NormalizedArgs, host: NormalizedHost, labels: Record<string, string>): Manifest | undefined {
    const allowed = clients(args, host);
    const sources: Record<string, unknown>[] = [];
    if (host.sources) {
        const namespaces = host.sources.filter((s) => !s.serviceAccount).map((s) => s.namespace);
        const principals = host.sources
            .filter((s) => s.serviceAccount)
            .map((s) => `*/ns/${s.namespace}/sa/${s.serviceAccount}`);
        if (namespaces.length > 0) sources.push({ namespaces });
        if (principals.length > 0) sources.push({ principals });
    } else if (!allowed.includes("*")) {
        sources.push({ namespaces: allowed });
    }
    const to =
        host.appProtocol === "HTTP" ? { to: [{ operation: { hosts: [host.host, `${host.host}:${host.port}`] } }] } : {};
    if (sources.length === 0 && !("to" in to)) return undefined;
    const rules = sources.length > 0 ? sources.map((source) => ({ from: [{ source }], ...to })) : [to];
    return hostObject(
        args,
        host,
        "AuthorizationPolicy",
        {
            targetRefs: [
                { group: "networking.istio.io", kind: "ServiceEntry", name: hostObjectName(args.name, host.host) },
            ],
            action: "ALLOW",
            rules,
        },
        { apiVersion: args.istio.apis.security, labels },
    );
}
