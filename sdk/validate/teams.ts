// Many teams, one gateway. A platform's `teams` grant each team namespaces, modes and ports on its gateway; a team's
// component `attachTo` the grant: the gateway, hop, routes and Istio settings come from it, the mesh config stays the
// platform's, and a host that asks for more than the grant allows is refused, naming the grant.
import { EgressMode, GatewayHopTls, OutboundTrafficPolicyMode, RoutingApi } from "../args";
import { DEFAULTS } from "../args/defaults";
import { givenHosts } from "./hosts";
import { NormalizedHost, NormalizedTeam } from "./normalized";
import { Problems, isPlainObject, show, validatePort } from "./problems";

const EVERY_MODE = Object.values(EgressMode);

/** The arguments a grant decides: a team's component may not set them. */
const DECIDED_BY_THE_GRANT = [
    "gateway",
    "existingGateway",
    "gatewayHopTls",
    "routingApi",
    "dataplane",
    "existingWaypoint",
    "outboundTrafficPolicy",
    "istio",
    "exportTo",
    "teams",
    "istioCluster",
];

/** The platform's grants. */
export function validateTeams(problems: Problems, value: unknown): NormalizedTeam[] {
    if (value === undefined || !problems.known("teams", value)) return [];
    if (!Array.isArray(value)) {
        problems.add("teams", `${show(value)} must be a list of { name, namespaces, modes?, ports? }`);
        return [];
    }
    const seen = new Map<string, number>();
    return value.flatMap((entry: unknown, i): NormalizedTeam[] => {
        const field = `teams[${i}]`;
        const team = problems.object(field, entry);
        if (!team) return [];
        problems.unknownKeys(field, team, ["name", "namespaces", "modes", "ports"]);
        const name = problems.dnsLabel(`${field}.name`, team.name, "", "team name");
        if (team.name === undefined) problems.add(`${field}.name`, "is required");
        const first = seen.get(name);
        if (name !== "" && first !== undefined)
            problems.add(`${field}.name`, `${show(name)} duplicates teams[${first}]`);
        seen.set(name, i);
        const namespaces = problems.namespaces(`${field}.namespaces`, team.namespaces);
        if (namespaces.length === 0) problems.add(`${field}.namespaces`, "must list the namespaces the team serves");
        const modes =
            team.modes === undefined
                ? [...EVERY_MODE]
                : (problems.uniqueList(`${field}.modes`, team.modes, "modes") as unknown[]).map((mode, j) =>
                      problems.enumValue(`${field}.modes[${j}]`, mode, EgressMode, EgressMode.Http),
                  );
        const ports =
            team.ports === undefined
                ? [...DEFAULTS["TeamGrant.ports"]]
                : (problems.uniqueList(`${field}.ports`, team.ports, "ports") as unknown[])
                      .map((port, j) => validatePort(problems, `${field}.ports[${j}]`, port, 0))
                      .filter((port): port is number => port !== undefined);
        return [{ name, namespaces, modes, ports }];
    });
}

/** A grant as attachTo passes it, checked for shape (it normally comes from the platform's own output). */
interface Grant {
    platform: string;
    team: string;
    gatewayNamespace: string;
    gatewayServiceName: string;
    gatewaySelector: Record<string, string>;
    targetPorts: Record<string, number>;
    gatewayHopTls: GatewayHopTls;
    routingApi: RoutingApi;
    istio: Record<string, unknown>;
    namespaces: string[];
    modes: EgressMode[];
    ports: number[];
}

function grantOf(problems: Problems, value: unknown): Grant | undefined {
    const grant = problems.object("attachTo", value);
    if (!grant) return undefined;
    const missing = [
        "platform",
        "team",
        "gatewayNamespace",
        "gatewayServiceName",
        "gatewaySelector",
        "gatewayHopTls",
        "routingApi",
        "istio",
        "namespaces",
        "modes",
        "ports",
    ].filter((key) => grant[key] === undefined);
    if (missing.length > 0) {
        problems.add(
            "attachTo",
            `lacks ${missing.join(", ")}: pass a platform's attachments output for this team as it is`,
        );
        return undefined;
    }
    return grant as unknown as Grant;
}

/**
 * The arguments of a team's component attached to a grant: what the grant decides filled in (and refused where it
 * was set beside it), and its hosts' `from` within the grant.
 */
export function attachedArgs(
    problems: Problems,
    args: Record<string, unknown>,
    attachment: unknown,
): { args: Record<string, unknown>; grant?: Grant } {
    if (args.attachTo === undefined) return { args };
    for (const field of DECIDED_BY_THE_GRANT.filter((f) => args[f] !== undefined)) {
        problems.add(field, "cannot be combined with attachTo: the platform's grant decides it");
    }
    const grant = grantOf(problems, attachment);
    if (!grant) return { args };
    const mutual = grant.gatewayHopTls === GatewayHopTls.IstioMutual;
    const hosts = Array.isArray(args.hosts)
        ? args.hosts.map((host, i) => (isPlainObject(host) ? grantedSources(problems, host, i, grant, mutual) : host))
        : args.hosts;
    // What the grant decides replaces what was set beside it (refused above).
    const own = Object.fromEntries(Object.entries(args).filter(([key]) => !DECIDED_BY_THE_GRANT.includes(key)));
    const attached = {
        ...own,
        hosts,
        existingGateway: {
            serviceName: grant.gatewayServiceName,
            namespace: grant.gatewayNamespace,
            selector: grant.gatewaySelector,
            targetPorts: grant.targetPorts ?? {},
        },
        gatewayHopTls: grant.gatewayHopTls,
        routingApi: grant.routingApi,
        istio: grant.istio,
        exportTo: grant.namespaces,
        outboundTrafficPolicy: { mode: OutboundTrafficPolicyMode.Unmanaged },
    };
    return { args: attached, grant };
}

const whose = (grant: Grant) => `team ${show(grant.team)} by platform ${grant.platform}`;

/**
 * A host's `from` within the grant: the granted namespaces when it has none (on the mutual-TLS hop, where the gateway
 * knows callers); a source in a namespace the grant does not allow is refused, and left out of what is validated.
 */
function grantedSources(
    problems: Problems,
    host: Record<string, unknown>,
    i: number,
    grant: Grant,
    mutual: boolean,
): Record<string, unknown> {
    if (host.from === undefined) {
        return mutual ? { ...host, from: grant.namespaces.map((namespace) => ({ namespace })) } : host;
    }
    if (!Array.isArray(host.from)) return host;
    const from = host.from.filter((source: unknown, j) => {
        const namespace = isPlainObject(source) ? source.namespace : undefined;
        if (typeof namespace !== "string" || grant.namespaces.includes(namespace)) return true;
        problems.add(
            `hosts[${i}].from[${j}].namespace`,
            `${show(namespace)} is not a namespace granted to ${whose(grant)} (granted: ${grant.namespaces.join(", ")})`,
        );
        return false;
    });
    // With every source refused, the arguments are refused anyway: validate the rest as if it named the grant's.
    return { ...host, from: from.length > 0 ? from : grant.namespaces.map((namespace) => ({ namespace })) };
}

/** Refuses every host whose mode or port the grant does not allow, naming the grant. */
export function refuseWhatTheGrantDenies(
    problems: Problems,
    rawHosts: unknown,
    hosts: NormalizedHost[],
    grant: Grant,
): void {
    const given = givenHosts(rawHosts);
    for (const host of hosts) {
        const { field } = given(host.host);
        if (!grant.modes.includes(host.mode)) {
            problems.add(
                `${field}.mode`,
                `${show(host.mode)} is not granted to ${whose(grant)} (granted: ${grant.modes.join(", ")})`,
            );
        }
        if (!grant.ports.includes(host.port)) {
            problems.add(
                `${field}.port`,
                `${host.port} is not granted to ${whose(grant)} (granted: ${grant.ports.join(", ")})`,
            );
        }
    }
}
