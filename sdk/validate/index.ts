// Turns MeshEgressArgs into NormalizedArgs, or throws one error listing every problem, each naming the field and
// the offending value. Runs before the component registers any child. The data plane comes first: it decides what
// the other sections may hold (ambient refuses routes, hop TLS and sidecar-only settings).
import { FIRST_ISTIO_MINOR_WITH } from "./istioRelease";
import { Dataplane, GatewayHopTls, MeshEgressArgs, RoutingApi } from "../args";
import { DEFAULTS } from "../args/defaults";
import { NormalizedArgs, NormalizedGateway, NormalizedHost } from "./normalized";
import { refuseWaypointSettings, validateAmbient, validateWaypointNamespaces } from "./ambient";
import { resolvedPerName } from "../naming/hosts";
import { shardOf } from "../naming/shards";
import { validateGateway, validatePodPortsDistinct } from "./gateway";
import { givenHosts, validateHosts } from "./hosts";
import { dns1123LabelProblem } from "./kubernetes";
import {
    refuseAuditBehindAntiBypass,
    validateAccessLog,
    validateAntiBypass,
    validateIstio,
    validatePolicy,
} from "./mesh";
import { MeshEgressArgsError, Problems, show } from "./problems";
import { attachedArgs, refuseWhatTheGrantDenies, validateTeams } from "./teams";

export { MeshEgressArgsError } from "./problems";

/** Component names: they prefix Kubernetes object names (shortened with a hash when long) and the gateway Service's. */
const COMPONENT_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const MAX_COMPONENT_NAME = 253;

const ARGUMENTS = [
    "hosts",
    "gateway",
    "existingGateway",
    "gatewayHopTls",
    "routingApi",
    "dataplane",
    "existingWaypoint",
    "exportTo",
    "antiBypass",
    "accessLog",
    "outboundTrafficPolicy",
    "istio",
    "istioCluster",
    "clusterCheck",
    "teams",
    "attachTo",
];

function validateComponentName(problems: Problems, componentName: unknown): void {
    if (
        typeof componentName !== "string" ||
        !COMPONENT_NAME.test(componentName) ||
        componentName.length > MAX_COMPONENT_NAME
    ) {
        problems.add(
            "name",
            `${show(componentName)} must be lower-case letters, digits and "-", starting with a letter and ending ` +
                `with a letter or digit, at most ${MAX_COMPONENT_NAME} characters: it prefixes Kubernetes object ` +
                "names, the gateway Service's among them (names that get too long are shortened with a hash)",
        );
    }
}

function validateRoutingApi(
    problems: Problems,
    value: unknown,
    istioMinor: number | undefined,
    gateway: NormalizedGateway,
): RoutingApi {
    const routingApi = problems.enumValue("routingApi", value, RoutingApi, DEFAULTS["MeshEgress.routingApi"]);
    if (routingApi !== RoutingApi.GatewayApi) return routingApi;
    const first = FIRST_ISTIO_MINOR_WITH.gatewayApiRoutes;
    if (istioMinor !== undefined && istioMinor < first) {
        problems.add(
            "routingApi",
            `"GATEWAY_API" needs istio.version 1.${first} or later (the first release verified to route with ` +
                `ListenerSet and TLSRoute of gateway.networking.k8s.io/v1), not 1.${istioMinor}; use "ISTIO"`,
        );
    }
    if (gateway.workload?.asm) {
        problems.add(
            "gateway.asm",
            'cannot be combined with routingApi "GATEWAY_API": ASM names and configures its IstioGateway\'s ' +
                'Service itself, so no Gateway API Gateway can be bound to it; use routingApi "ISTIO"',
        );
    }
    return routingApi;
}

/**
 * A wildcard without `upstreamHost` (HTTP or origination) is resolved name by name at the gateway: a DYNAMIC_DNS
 * ServiceEntry only the gateway sees, which istiod turns into a dynamic forward proxy cluster for routers from 1.30 on
 * (verified here on 1.31), and which a Gateway API route cannot name (its backends are single hosts).
 */
function refuseWildcardsResolvedAtGateway(
    problems: Problems,
    rawHosts: unknown,
    hosts: NormalizedHost[],
    istioMinor: number | undefined,
    routingApi: RoutingApi,
): void {
    const first = FIRST_ISTIO_MINOR_WITH.wildcardsResolvedAtGateway;
    const asGiven = givenHosts(rawHosts);
    for (const host of hosts.filter(resolvedPerName)) {
        // The problem names the value given.
        const { field, given } = asGiven(host.host);
        if (istioMinor !== undefined && istioMinor < first) {
            problems.add(
                `${field}.host`,
                `${show(given)}: a wildcard whose names the gateway resolves one by one needs istio.version ` +
                    `1.${first} or later (the first release verified to build a gateway's dynamic forward proxy), ` +
                    `not 1.${istioMinor}; declare the names you call instead`,
            );
        }
        if (routingApi === RoutingApi.GatewayApi) {
            problems.add(
                `${field}.host`,
                `${show(given)}: a wildcard whose names the gateway resolves one by one cannot be routed with ` +
                    'routingApi "GATEWAY_API" (a route\'s backend is one host, never a wildcard); use routingApi "ISTIO"',
            );
        }
    }
}

function validateExportTo(problems: Problems, value: unknown): string[] {
    if (value === undefined || !problems.known("exportTo", value)) return [...DEFAULTS["MeshEgress.exportTo"]];
    if (!Array.isArray(value) || value.length === 0) {
        problems.add("exportTo", `${show(value)} must be a non-empty list of namespaces, "." or "*"`);
        return [...DEFAULTS["MeshEgress.exportTo"]];
    }
    problems.uniqueList("exportTo", value, "namespaces");
    value.forEach((namespace, i) => {
        if (
            namespace !== "*" &&
            namespace !== "." &&
            (typeof namespace !== "string" || dns1123LabelProblem(namespace))
        ) {
            problems.add(`exportTo[${i}]`, `${show(namespace)} is not a namespace, "." or "*"`);
        }
    });
    if (value.includes("*") && value.length > 1) {
        problems.add("exportTo", `${show(value)}: "*" already means every namespace; list it alone`);
    }
    return [...new Set(value)] as string[];
}

function validateIstioCluster(problems: Problems, value: unknown): boolean {
    const istioCluster = problems.object("istioCluster", value);
    if (!istioCluster) return false;
    problems.unknownKeys("istioCluster", istioCluster, ["kubeconfig", "context"]);
    if (istioCluster.kubeconfig === undefined || istioCluster.kubeconfig === "") {
        problems.add("istioCluster.kubeconfig", "is required");
    }
    return true;
}

/**
 * Validates and defaults MeshEgress arguments; throws MeshEgressArgsError listing every problem. `attachment` is the
 * value of `attachTo` when the arguments hold it as an Output (the component resolves it first).
 */
export function validateArgs(
    componentName: string,
    rawArgs: MeshEgressArgs | undefined,
    attachment: unknown = rawArgs?.attachTo,
): NormalizedArgs {
    const problems = new Problems();
    validateComponentName(problems, componentName);
    const given = problems.object("args", rawArgs ?? {}) ?? {};
    problems.unknownKeys("args", given, ARGUMENTS);
    const { args, grant } = attachedArgs(problems, given, attachment);
    const dataplane = problems.enumValue("dataplane", args.dataplane, Dataplane, DEFAULTS["MeshEgress.dataplane"]);
    const ambient = dataplane === Dataplane.Ambient;
    const hopTls = problems.enumValue(
        "gatewayHopTls",
        args.gatewayHopTls,
        GatewayHopTls,
        DEFAULTS["MeshEgress.gatewayHopTls"],
    );
    const exportTo = validateExportTo(problems, args.exportTo);
    const hosts = validateHosts(problems, args.hosts, hopTls, exportTo, ambient);
    const gateway = validateGateway(problems, args, componentName);
    validatePodPortsDistinct(
        problems,
        gateway,
        hosts.map((h) => h.gatewayPort),
    );
    const { istio, minor } = validateIstio(problems, args.istio);
    const routingApi = validateRoutingApi(problems, args.routingApi, minor, gateway);
    if (!ambient) refuseWildcardsResolvedAtGateway(problems, args.hosts, hosts, minor, routingApi);
    const policy = validatePolicy(problems, args.outboundTrafficPolicy);
    const egressPoint = ambient
        ? validateAmbient(problems, args, {
              componentName,
              gateway,
              hopTls,
              routingApi,
              policyMode: policy.mode,
              hasAntiBypass: args.antiBypass !== undefined,
              hosts,
              istioMinor: minor,
          })
        : gateway;
    if (!ambient) refuseWaypointSettings(problems, args);
    const waypointNamespaces = ambient ? validateWaypointNamespaces(problems, args, egressPoint) : [];
    const antiBypass = validateAntiBypass(
        problems,
        args.antiBypass,
        ambient ? waypointNamespaces : [egressPoint.namespace],
        istio.namespace,
    );
    refuseAuditBehindAntiBypass(problems, policy, antiBypass);
    const accessLog = validateAccessLog(problems, args.accessLog, egressPoint.workload !== undefined);
    const separateIstioCluster = validateIstioCluster(problems, args.istioCluster);
    const clusterCheck = problems.boolean("clusterCheck", args.clusterCheck, DEFAULTS["MeshEgress.clusterCheck"]);
    const teams = validateTeams(problems, args.teams);
    if (teams.length > 0 && ambient) {
        problems.add(
            "teams",
            'cannot be used with dataplane "AMBIENT": sharing a waypoint between components is not verified',
        );
    }
    if (grant) refuseWhatTheGrantDenies(problems, args.hosts, hosts, grant);

    const common = {
        name: componentName,
        hosts,
        exportTo,
        gateway: egressPoint,
        istio,
        policy,
        accessLog,
        separateIstioCluster,
        clusterCheck,
        teams,
        ...(grant ? { attachedTo: { platform: grant.platform, team: grant.team } } : {}),
    };
    // Under AMBIENT a missing antiBypass is one of the problems reported.
    const normalized: NormalizedArgs | undefined = ambient
        ? antiBypass && {
              ...common,
              dataplane,
              antiBypass,
              waypointNamespaces,
              waypointOf: Object.fromEntries(hosts.map((h) => [h.host, shardOf(h.host, waypointNamespaces)])),
          }
        : { ...common, dataplane, hopTls, routingApi, ...(antiBypass ? { antiBypass } : {}) };
    if (problems.list.length > 0 || !normalized) throw new MeshEgressArgsError(String(componentName), problems.list);
    return normalized;
}
