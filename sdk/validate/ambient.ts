// The ambient data plane: what an egress waypoint can do for the host list, and the gateway settings that become the
// waypoint's. Everything ambient cannot do is refused here, naming the field and why.
import { EgressMode, GatewayHopTls, RoutingApi } from "../args";
import { DEFAULTS } from "../args/defaults";
import { FIRST_ISTIO_MINOR_WITH } from "./istioRelease";
import { fitName } from "../naming/fit";
import { GATEWAY_NAME_LABEL } from "../naming/hosts";
import { givenHosts } from "./hosts";
import { NormalizedArgs, NormalizedGateway, NormalizedHost } from "./normalized";
import { Problems, isDeferred, show } from "./problems";

/** Gateway fields a waypoint's parameters ConfigMap carries as YAML, so they must be known at construction. */
const PARAMETER_FIELDS = ["replicas", "resources", "nodeSelector", "tolerations"] as const;

interface AmbientContext {
    componentName: string;
    gateway: NormalizedGateway;
    hopTls: GatewayHopTls;
    routingApi: RoutingApi;
    policyMode: NormalizedArgs["policy"]["mode"];
    hasAntiBypass: boolean;
    hosts: NormalizedHost[];
    istioMinor: number | undefined;
}

/** Refuses existingWaypoint and waypoint shards under the sidecar data plane: there is no waypoint. */
export function refuseWaypointSettings(problems: Problems, args: Record<string, unknown>): void {
    if (problems.object("existingWaypoint", args.existingWaypoint)) {
        problems.add("existingWaypoint", 'applies only to dataplane "AMBIENT"');
    }
    const gateway = problems.object("gateway", args.gateway) ?? {};
    if (gateway.shardNamespaces !== undefined) {
        problems.add(
            "gateway.shardNamespaces",
            'applies only to dataplane "AMBIENT": it spreads hosts across waypoints',
        );
    }
}

/** The namespaces of the waypoints MeshEgress deploys: the gateway's, then `gateway.shardNamespaces`. */
export function validateWaypointNamespaces(
    problems: Problems,
    args: Record<string, unknown>,
    waypoint: NormalizedGateway,
): string[] {
    const gateway = problems.object("gateway", args.gateway) ?? {};
    const shards =
        gateway.shardNamespaces === undefined
            ? [...DEFAULTS["EgressGateway.shardNamespaces"]]
            : problems.namespaces("gateway.shardNamespaces", gateway.shardNamespaces);
    if (shards.includes(waypoint.namespace)) {
        problems.add(
            "gateway.shardNamespaces",
            `${show(waypoint.namespace)} is gateway.namespace, which always has a waypoint; list only the others`,
        );
    }
    return [waypoint.namespace, ...shards.filter((namespace) => namespace !== waypoint.namespace)];
}

/** Under AMBIENT, the waypoint MeshEgress routes through, in place of the gateway; refuses what ambient cannot do. */
export function validateAmbient(
    problems: Problems,
    args: Record<string, unknown>,
    context: AmbientContext,
): NormalizedGateway {
    const existing = problems.object("existingWaypoint", args.existingWaypoint);
    refuseWhatAmbientCannotDo(problems, args, context);
    const gatewayArgs = problems.object("gateway", args.gateway) ?? {};
    if (existing) {
        problems.unknownKeys("existingWaypoint", existing, ["name", "namespace"]);
        if (args.gateway !== undefined) {
            problems.add("existingWaypoint", "cannot be combined with gateway: MeshEgress does not manage it");
        }
        const name = problems.dnsLabel("existingWaypoint.name", existing.name, "", "name");
        if (existing.name === undefined) problems.add("existingWaypoint.name", "is required");
        const namespace = problems.dnsLabel(
            "existingWaypoint.namespace",
            existing.namespace,
            DEFAULTS["ExistingWaypoint.namespace"],
            "namespace",
        );
        return { serviceName: name, namespace, selector: { [GATEWAY_NAME_LABEL]: name }, targetPorts: {} };
    }
    for (const field of PARAMETER_FIELDS) {
        if (containsDeferred(gatewayArgs[field])) {
            problems.add(
                `gateway.${field}`,
                `holds a Pulumi Output or Promise, but under dataplane "AMBIENT" it is written into the waypoint's ` +
                    "parameters ConfigMap at construction, so it must be a plain value throughout",
            );
        }
    }
    const name =
        gatewayArgs.name === undefined ? fitName(`${context.componentName}-waypoint`) : context.gateway.serviceName;
    return { ...context.gateway, serviceName: name, selector: { [GATEWAY_NAME_LABEL]: name } };
}

/** Whether a value, or anything inside it, is an Output or a Promise. */
function containsDeferred(value: unknown): boolean {
    if (isDeferred(value)) return true;
    if (Array.isArray(value)) return value.some(containsDeferred);
    return typeof value === "object" && value !== null && Object.values(value).some(containsDeferred);
}

function refuseWhatAmbientCannotDo(problems: Problems, args: Record<string, unknown>, context: AmbientContext): void {
    const why = (reason: string, value?: unknown) =>
        `${value === undefined ? "" : `${show(value)} `}cannot be used with dataplane "AMBIENT": ${reason}`;
    const first = FIRST_ISTIO_MINOR_WITH.ambientEgressWaypoint;
    if (context.istioMinor !== undefined && context.istioMinor < first) {
        problems.add(
            "dataplane",
            `"AMBIENT" needs istio.version 1.${first} or later (the first release verified to route ServiceEntries ` +
                `through an egress waypoint), not 1.${context.istioMinor}`,
        );
    }
    if (args.istioCluster !== undefined) {
        problems.add(
            "istioCluster",
            why(
                "Istio deploys the waypoint where its Gateway is, so the Istio cluster and the workloads' cluster " +
                    "would both need it; this setup is not verified",
            ),
        );
    }
    if (args.existingGateway !== undefined) {
        problems.add("existingGateway", why("ambient traffic leaves through a waypoint; use existingWaypoint"));
    }
    const gateway = problems.object("gateway", args.gateway) ?? {};
    if (gateway.labels !== undefined) {
        problems.add("gateway.labels", why("Istio labels the waypoint's pods itself"));
    }
    if (gateway.asm !== undefined) problems.add("gateway.asm", why("ASM's IstioGateway is a sidecar-mode gateway"));
    if (context.hopTls !== GatewayHopTls.IstioMutual) {
        problems.add("gatewayHopTls", why("ztunnel always reaches the waypoint over HBONE mTLS", context.hopTls));
    }
    if (context.routingApi !== RoutingApi.Istio) {
        problems.add(
            "routingApi",
            why("the hosts' ServiceEntries are bound to the waypoint; there are no routes", context.routingApi),
        );
    }
    if (context.policyMode === "AUDIT") {
        problems.add(
            "outboundTrafficPolicy.mode",
            why("it logs at client sidecars, and ambient workloads have none", "AUDIT"),
        );
    }
    if (!context.hasAntiBypass) {
        problems.add(
            "antiBypass",
            'is required with dataplane "AMBIENT": ztunnel does not apply REGISTRY_ONLY (istio/istio#54281), so ' +
                "only its NetworkPolicies keep the client namespaces from reaching undeclared hosts directly",
        );
    }
    const given = givenHosts(args.hosts);
    context.hosts.forEach((host) => {
        const { field } = given(host.host);
        if (host.mode === EgressMode.Tcp) {
            (host.tcp?.addresses ?? []).forEach((address) => {
                const [ip, prefix] = address.split("/");
                const full = ip.includes(":") ? "128" : "32";
                if (prefix !== undefined && prefix !== full) {
                    problems.add(
                        `${field}.addresses`,
                        why(`${show(address)} is a range; ztunnel captures a service by its single addresses`),
                    );
                }
            });
        }
    });
}
