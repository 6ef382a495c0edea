// Several MeshEgress components on one gateway, next to routes written by hand, exported as one plan for the
// data-plane proof: the invariants then hold every component's hosts (and the hand-written one) to their own
// callers — a component's source rules must not change what the others, or the hand-written route, allow.
import fc from "fast-check";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { ExternalHost, MeshEgressArgs } from "../../sdk";
import { EgressPlan, Manifest, buildPlan } from "../../sdk/plan";
import { MeshEgressArgsError, validateArgs } from "../../sdk/validate";
import { externalHost } from "../support/arbitraries";
import type { Scenario } from "./export-plan";

export interface Composition {
    /** The first component's gateway, mesh config and policy are the plan's; the others attach to its gateway. */
    components: Scenario[];
    /** Objects written by hand on the same gateway, and what a client of theirs must reach. */
    handWritten?: { objects: Manifest[]; hosts: Record<string, unknown>[] };
}

/** A team's component on a gateway it does not deploy: it routes its hosts and leaves the mesh config alone. */
function team(name: string, hosts: ExternalHost[], gateway: MeshEgressArgs["existingGateway"], routingApi = "ISTIO") {
    return {
        name,
        args: {
            hosts,
            existingGateway: gateway,
            outboundTrafficPolicy: { mode: "UNMANAGED" },
            routingApi,
        } as MeshEgressArgs,
    };
}

const PLATFORM_GATEWAY = {
    serviceName: "platform-gateway",
    selector: { istio: "egressgateway", app: "platform-gateway" },
};
const CHART_GATEWAY = {
    serviceName: "istio-egressgateway",
    selector: { istio: "egressgateway" },
    targetPorts: { "80": 8080, "443": 8443 },
};
const CHART_HOST = "istio-egressgateway.istio-system.svc.cluster.local";

/**
 * A route to handwritten.example.org through Istio's chart gateway, written as Istio's "Egress Gateways" task does
 * (HTTP, mutual TLS to the gateway through a subset of its Service): what a mesh already carries before MeshEgress.
 */
function handWrittenRoute(): Manifest[] {
    const host = "handwritten.example.org";
    const metadata = (name: string) => ({ name, namespace: "istio-system" });
    return [
        {
            apiVersion: "networking.istio.io/v1",
            kind: "ServiceEntry",
            metadata: metadata("handwritten"),
            spec: {
                hosts: [host],
                location: "MESH_EXTERNAL",
                resolution: "DNS",
                ports: [{ number: 80, name: "http", protocol: "HTTP" }],
            },
        },
        {
            apiVersion: "networking.istio.io/v1",
            kind: "Gateway",
            metadata: metadata("handwritten"),
            spec: {
                selector: { istio: "egressgateway" },
                servers: [
                    {
                        port: { number: 80, name: "https", protocol: "HTTPS" },
                        hosts: [host],
                        tls: { mode: "ISTIO_MUTUAL" },
                    },
                ],
            },
        },
        {
            apiVersion: "networking.istio.io/v1",
            kind: "DestinationRule",
            metadata: metadata("handwritten"),
            spec: {
                host: CHART_HOST,
                subsets: [{ name: "handwritten", trafficPolicy: { tls: { mode: "ISTIO_MUTUAL", sni: host } } }],
            },
        },
        {
            apiVersion: "networking.istio.io/v1",
            kind: "VirtualService",
            metadata: metadata("handwritten"),
            spec: {
                hosts: [host],
                gateways: ["mesh", "istio-system/handwritten"],
                http: [
                    {
                        match: [{ gateways: ["mesh"], port: 80 }],
                        route: [{ destination: { host: CHART_HOST, subset: "handwritten", port: { number: 80 } } }],
                    },
                    {
                        match: [{ gateways: ["istio-system/handwritten"], port: 80 }],
                        route: [{ destination: { host, port: { number: 80 } } }],
                    },
                ],
            },
        },
    ];
}

const HAND_WRITTEN_HOST = {
    host: "handwritten.example.org",
    appProtocol: "HTTP",
    port: 80,
    callName: "handwritten.example.org",
    callAddress: "",
    upstreamEndpoints: ["handwritten.example.org:80"],
    origination: null,
    clientNamespace: "default",
    sources: null,
};

function platformAndTeams(routingApi: "ISTIO" | "GATEWAY_API"): Composition {
    return {
        components: [
            {
                name: "platform",
                args: {
                    gateway: { name: PLATFORM_GATEWAY.serviceName },
                    routingApi,
                    // The gateway's Service carries the platform's ports, the only ones a team can use under
                    // GATEWAY_API (the cluster check refuses another): 80, 443 and 5432.
                    hosts: [
                        { host: "aliyun.com" },
                        { host: "api.github.com", mode: "TLS_PASSTHROUGH", from: [{ namespace: "ci" }] },
                        { host: "db.platform.example.com", mode: "TCP", port: 5432, addresses: ["192.0.2.10"] },
                    ],
                },
            },
            team(
                "payments",
                [
                    { host: "api.stripe.com", mode: "TLS_PASSTHROUGH", from: [{ namespace: "payments" }] },
                    { host: "pay.example.com", from: [{ namespace: "payments", serviceAccount: "checkout" }] },
                ],
                PLATFORM_GATEWAY,
                routingApi,
            ),
            team(
                "shop",
                [
                    { host: "shop.example.com", from: [{ namespace: "shop" }] },
                    {
                        host: "db.shop.example.com",
                        mode: "TCP",
                        port: 5432,
                        addresses: ["192.0.2.20"],
                        from: [{ namespace: "shop" }],
                    },
                ],
                PLATFORM_GATEWAY,
                routingApi,
            ),
        ],
    };
}

export const COMPOSITIONS: Record<string, Composition> = {
    /** A platform component that deploys the gateway, and two teams on it with their own restricted hosts. */
    "platform-and-teams": platformAndTeams("ISTIO"),
    "platform-and-teams-gateway-api": platformAndTeams("GATEWAY_API"),
    /** Two teams on Istio's chart gateway, which already carries a route written by hand. */
    "teams-beside-hand-written-routes": {
        components: [
            {
                name: "payments",
                args: {
                    hosts: [{ host: "api.stripe.com", mode: "TLS_PASSTHROUGH", from: [{ namespace: "payments" }] }],
                    existingGateway: CHART_GATEWAY,
                },
            },
            team(
                "shop",
                [{ host: "shop.example.com", from: [{ namespace: "shop", serviceAccount: "web" }] }],
                CHART_GATEWAY,
            ),
        ],
        handWritten: { objects: handWrittenRoute(), hosts: [HAND_WRITTEN_HOST] },
    },
};

/**
 * One plan of several components: the first component's summary, with every component's (and the hand-written)
 * hosts, probe namespaces and gateway ports; every object once (an object two components plan identically, once).
 */
export function exportComposition(
    label: string,
    composition: Composition,
    exportPlan: (label: string, scenario: Scenario) => string,
): string {
    const exported = composition.components.map((scenario) => exportPlan(label, scenario).split("---\n"));
    const summaries = exported.map(([summary]) => parse(summary) as { spec: Record<string, any> });
    const [first] = summaries;
    const union = <T>(pick: (spec: Record<string, any>) => T[], key: (item: T) => string) => {
        const byKey = new Map<string, T>();
        for (const { spec } of summaries)
            for (const item of pick(spec)) if (!byKey.has(key(item))) byKey.set(key(item), item);
        return [...byKey.values()];
    };
    first.spec.hosts = [
        ...union(
            (s) => s.hosts,
            (h: any) => h.host,
        ),
        ...(composition.handWritten?.hosts ?? []),
    ];
    first.spec.probeNamespaces = union(
        (s) => s.probeNamespaces,
        (n: string) => n,
    ).sort();
    first.spec.gatewayPorts = union(
        (s) => s.gatewayPorts,
        (p: any) => String(p.number),
    ).sort((a: any, b: any) => a.number - b.number);
    first.spec.componentName = composition.components.map((c) => c.name).join("+");
    first.spec.args = JSON.stringify(composition.components);
    const objects = new Map<string, string>();
    for (const doc of [
        ...exported.flatMap(([, ...docs]) => docs),
        ...(composition.handWritten?.objects ?? []).map((m) => stringify(m, { lineWidth: 0 })),
    ]) {
        const { kind, metadata } = parse(doc);
        const key = `${kind}/${metadata.namespace}/${metadata.name}`;
        const earlier = objects.get(key);
        if (earlier !== undefined && earlier !== doc)
            throw new Error(`${label}: two components plan ${key} differently`);
        objects.set(key, doc);
    }
    return [stringify(first, { lineWidth: 0 }), ...objects.values()].join("---\n");
}

/** What generated teams may use: every mode but TCP (whose address ranges other components could overlap). */
const TEAM_MODES = ["HTTP", "TLS_PASSTHROUGH", "TLS_ORIGINATION", "MUTUAL_TLS_ORIGINATION"] as const;
const TEAM_PORTS = [80, 443, 8080];

/** A host's name and (port, listener protocol) as another component must leave them free. */
interface Claims {
    names: string[];
    protocols: Map<number, string>;
}

function claimsOf(plan: EgressPlan): Claims {
    return {
        names: plan.objects.flatMap((o) => ((o.manifest.spec as any)?.hosts ?? []) as string[]),
        protocols: new Map(
            plan.objects.flatMap((o) => (o.manifest.kind === "ServiceEntry" ? portsOf(o.manifest) : [])),
        ),
    };
}

function portsOf(manifest: Manifest): [number, string][] {
    const spec = manifest.spec as { location?: string; ports?: { number: number; protocol: string }[] };
    return spec.location === "MESH_EXTERNAL" ? (spec.ports ?? []).map((p) => [p.number, p.protocol]) : [];
}

/** Whether a component's plan takes nothing the others claim (the cluster check would refuse the same). */
function free(plan: EgressPlan, claims: Claims[]): boolean {
    const mine = claimsOf(plan);
    const covered = (a: string, b: string) => a === b || (a.startsWith("*.") && b.endsWith(a.slice(1)));
    return claims.every(
        (other) =>
            !mine.names.some((n) => other.names.some((o) => covered(n, o) || covered(o, n))) &&
            [...mine.protocols].every(([port, protocol]) => (other.protocols.get(port) ?? protocol) === protocol),
    );
}

function acceptedPlan(scenario: Scenario): EgressPlan | undefined {
    try {
        return buildPlan(validateArgs(scenario.name, scenario.args));
    } catch (error) {
        if (error instanceof MeshEgressArgsError) return undefined;
        throw error;
    }
}

/**
 * Generated compositions (seeded): a platform with generated hosts granting two teams, each team's generated hosts
 * (its `from` left to the grant) attached to its grant; a host another component already claims, or a team whose
 * hosts its grant refuses, is left out, as the cluster check or validation would refuse them.
 */
export function generatedCompositions(count: number, seed: number): Composition[] {
    const drawn = fc.sample(
        fc.record({
            platform: fc.array(externalHost, { minLength: 1, maxLength: 4 }),
            teams: fc.tuple(fc.array(externalHost, { maxLength: 6 }), fc.array(externalHost, { maxLength: 6 })),
            routingApi: fc.constantFrom("ISTIO", "GATEWAY_API"),
            gatewayHopTls: fc.constantFrom("ISTIO_MUTUAL", "ISTIO_MUTUAL", "DISABLE"),
        }),
        { seed, numRuns: count * 300 },
    );
    const compositions: Composition[] = [];
    for (const { platform: hosts, teams, routingApi, gatewayHopTls } of drawn) {
        if (compositions.length === count) break;
        const platform: Scenario = {
            name: "platform",
            args: {
                hosts,
                routingApi,
                gatewayHopTls,
                gateway: { name: "platform-gateway" },
                teams: ["team-a", "team-b"].map((name) => ({
                    name,
                    namespaces: [name],
                    modes: [...TEAM_MODES],
                    ports: TEAM_PORTS,
                })),
            } as MeshEgressArgs,
        };
        const platformPlan = acceptedPlan(platform);
        if (!platformPlan) continue;
        const components = [platform];
        const claims = [claimsOf(platformPlan)];
        teams.forEach((candidates, i) => {
            const name = ["team-a", "team-b"][i];
            const grant = { platform: "generated/platform/platform", ...platformPlan.attachments[name] };
            // Host by host, each kept when the team's list with it is still accepted and takes nothing claimed.
            let team: Scenario | undefined;
            let teamPlan: EgressPlan | undefined;
            for (const { from: _from, ...host } of candidates) {
                if (!(TEAM_MODES as readonly string[]).includes(host.mode ?? "HTTP") || host.host.startsWith("*."))
                    continue;
                const trial = { name, args: { hosts: [...(team?.args.hosts ?? []), host], attachTo: grant } };
                const plan = acceptedPlan(trial);
                if (plan && free(plan, claims)) [team, teamPlan] = [trial, plan];
            }
            if (!team || !teamPlan) return;
            components.push(team);
            claims.push(claimsOf(teamPlan));
        });
        if (components.length > 1) compositions.push({ components });
    }
    return compositions;
}

/** Writes `count` generated compositions to `<dir>/composition-<i>.yaml`; returns how many it wrote. */
export function writeGeneratedCompositions(
    dir: string,
    count: number,
    seed: number,
    exportPlan: (label: string, scenario: Scenario) => string,
): number {
    const compositions = generatedCompositions(count, seed);
    compositions.forEach((composition, i) => {
        const label = `composition-${i}`;
        fs.writeFileSync(path.join(dir, `${label}.yaml`), exportComposition(label, composition, exportPlan));
    });
    return compositions.length;
}
