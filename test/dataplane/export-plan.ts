// Exports MeshEgress's own plan (validateArgs + buildPlan, exactly what the component creates) as multi-document
// YAML, for the data-plane proof in this folder: the Go test feeds these documents to Istio's in-process discovery
// server, so no Istio object in that proof is written by hand.
//
//   node -r ts-node/register test/dataplane/export-plan.ts <scenario>      one scenario to stdout
//   node -r ts-node/register test/dataplane/export-plan.ts --out <dir>     every scenario to <dir>/<scenario>.yaml
//   node -r ts-node/register test/dataplane/export-plan.ts --list          the scenario names
//
// The first document (kind PlanSummary, not a Kubernetes object) carries what the plan says outside its manifests:
// the mesh config edit (the outbound traffic policy), the gateway Service's FQDN and ports, and each host's gateway
// port. Every following document is one planned manifest, in plan order.
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { ExternalHost, MeshEgressArgs } from "../../sdk";
import fc from "fast-check";
import { resolvedPerName } from "../../sdk/naming/hosts";
import { buildPlan } from "../../sdk/plan";
import { podPort } from "../../sdk/plan/gateway";
import { MeshEgressArgsError, validateArgs } from "../../sdk/validate";
import { NormalizedArgs, NormalizedHost } from "../../sdk/validate/normalized";
import { meshEgressCase } from "../support/arbitraries";
import { COMPOSITIONS, exportComposition } from "./compositions";

export interface Scenario {
    /** The component name (`new MeshEgress(name, args)`). */
    name: string;
    args: MeshEgressArgs;
}

/** Every mode, as in the end-to-end suite: HTTP on 80 and 8080, passthrough, both originations, wildcard, TCP. */
const EVERY_MODE: ExternalHost[] = [
    { host: "aliyun.com" },
    { host: "api.stripe.com", mode: "TLS_PASSTHROUGH" },
    { host: "example.org", port: 8080 },
    { host: "edition.cnn.com", mode: "TLS_ORIGINATION" },
    { host: "mtls.example.com", mode: "MUTUAL_TLS_ORIGINATION", tls: { credentialName: "client-credential" } },
    { host: "*.wikipedia.org", mode: "TLS_PASSTHROUGH", upstreamHost: "www.wikipedia.org" },
    { host: "mongo.example.com", mode: "TCP", port: 27017, addresses: ["192.0.2.0/24"], endpoints: ["192.0.2.10"] },
];

/** Wildcards the gateway resolves name by name (HTTP and origination, `from` on one), beside a concrete host. */
const PER_NAME_WILDCARDS: ExternalHost[] = [
    { host: "aliyun.com" },
    { host: "*.example.net" },
    { host: "*.team.example", from: [{ namespace: "default", serviceAccount: "sleep" }] },
    { host: "*.secure.example", mode: "TLS_ORIGINATION" },
    { host: "*.mtls.example", mode: "MUTUAL_TLS_ORIGINATION", tls: { credentialName: "client-credential" } },
];

/** Two hosts on two gateway ports (80, 443). */
const TWO_PORTS: ExternalHost[] = [{ host: "aliyun.com" }, { host: "api.stripe.com", mode: "TLS_PASSTHROUGH" }];
const EXISTING_GATEWAY = { serviceName: "shared-egress", selector: { istio: "egressgateway" } };
const CHART_GATEWAY = {
    serviceName: "istio-egressgateway",
    selector: { istio: "egressgateway" },
    targetPorts: { "80": 8080, "443": 8443 },
};
const CHART_HOSTS: ExternalHost[] = [
    { host: "aliyun.com", from: [{ namespace: "default" }] },
    { host: "api.stripe.com", mode: "TLS_PASSTHROUGH", from: [{ namespace: "default", serviceAccount: "sleep" }] },
    { host: "edition.cnn.com", mode: "TLS_ORIGINATION" },
];

export const SCENARIOS: Record<string, Scenario> = {
    /** The seed: aliyun.com over HTTP/80, REGISTRY_ONLY in the mesh config, Istio mTLS on the gateway hop. */
    "seed-mtls": { name: "egress", args: { hosts: [{ host: "aliyun.com" }] } },
    /** The seed with the plain gateway hop. */
    "seed-plain": { name: "egress", args: { hosts: [{ host: "aliyun.com" }], gatewayHopTls: "DISABLE" } },
    /** The seed with REGISTRY_ONLY written as a root-namespace Sidecar instead of the mesh config (ASM). */
    "seed-root-sidecar": {
        name: "egress",
        args: { hosts: [{ host: "aliyun.com" }], outboundTrafficPolicy: { target: "ROOT_NAMESPACE_SIDECAR" } },
    },
    /** Every mode with the default Istio-mTLS gateway hop. */
    "every-mode-mtls": { name: "egress", args: { hosts: EVERY_MODE } },
    /** Every mode with the plain gateway hop. */
    "every-mode-plain": { name: "egress", args: { hosts: EVERY_MODE, gatewayHopTls: "DISABLE" } },
    /** Wildcards resolved name by name at the gateway, on each hop. */
    "wildcards-per-name-mtls": { name: "egress", args: { hosts: PER_NAME_WILDCARDS } },
    "wildcards-per-name-plain": {
        name: "egress",
        args: { hosts: PER_NAME_WILDCARDS.filter((h) => !h.from), gatewayHopTls: "DISABLE" },
    },
    /** Every mode ambient supports, through an egress waypoint; `from` on one host, the client namespace locked down. */
    "ambient-every-mode": {
        name: "egress",
        args: {
            dataplane: "AMBIENT",
            antiBypass: { namespaces: ["default"] },
            hosts: [
                { host: "aliyun.com" },
                { host: "api.stripe.com", mode: "TLS_PASSTHROUGH" },
                { host: "example.org", port: 8080, from: [{ namespace: "default", serviceAccount: "sleep" }] },
                { host: "edition.cnn.com", mode: "TLS_ORIGINATION" },
                {
                    host: "mtls.example.com",
                    mode: "MUTUAL_TLS_ORIGINATION",
                    tls: { credentialName: "client-credential" },
                },
                {
                    host: "mongo.example.com",
                    mode: "TCP",
                    port: 27017,
                    addresses: ["192.0.2.10"],
                    endpoints: ["192.0.2.10"],
                },
                { host: "*.example.net" },
            ],
        },
    },
    /** The seed, routed with Gateway API kinds. */
    "seed-gateway-api": { name: "egress", args: { hosts: [{ host: "aliyun.com" }], routingApi: "GATEWAY_API" } },
    /** Every mode with the Istio-mTLS hop, routed with Gateway API kinds. */
    "every-mode-gateway-api-mtls": { name: "egress", args: { hosts: EVERY_MODE, routingApi: "GATEWAY_API" } },
    /** Every mode with the plain hop, routed with Gateway API kinds. */
    "every-mode-gateway-api-plain": {
        name: "egress",
        args: { hosts: EVERY_MODE, gatewayHopTls: "DISABLE", routingApi: "GATEWAY_API" },
    },
    /** An HTTP and a TLS host on a gateway that already runs, with Istio's routes and with Gateway API routes. */
    "existing-gateway": { name: "egress", args: { hosts: TWO_PORTS, existingGateway: EXISTING_GATEWAY } },
    "existing-gateway-gateway-api": {
        name: "egress",
        args: { hosts: TWO_PORTS, existingGateway: EXISTING_GATEWAY, routingApi: "GATEWAY_API" },
    },
    /** The same on Istio's istio-egressgateway, whose Service sends 80 to 8080 and 443 to 8443; `from` on one host. */
    "chart-egress-gateway": { name: "egress", args: { hosts: CHART_HOSTS, existingGateway: CHART_GATEWAY } },
    "chart-egress-gateway-gateway-api": {
        name: "egress",
        args: { hosts: CHART_HOSTS, existingGateway: CHART_GATEWAY, routingApi: "GATEWAY_API" },
    },
};

/** What every routed host must do, stated from the arguments (not read from the plan), for the Go invariants. */
function hostIntent(args: NormalizedArgs, host: NormalizedHost) {
    const external = host.upstreamHost ?? host.host;
    const endpoints = host.tcp?.endpoints.length
        ? host.tcp.endpoints.map((ip) => `${ip}:${host.port}`)
        : [`${external}:${host.externalPort}`];
    return {
        host: host.host,
        appProtocol: host.appProtocol,
        port: host.port,
        // A name the app calls: the host, or a name under a wildcard.
        callName: host.host.startsWith("*.") ? `probe.${host.host.slice(2)}` : host.host,
        // An address the app connects to for TCP: one inside the host's first CIDR (or any address without CIDRs).
        callAddress: host.tcp?.addresses[0]?.split("/")[0] ?? "",
        // A wildcard without one server: the gateway resolves each name it is asked for (no endpoints to list).
        resolvedPerName: resolvedPerName(host),
        upstreamEndpoints: resolvedPerName(host) ? [] : endpoints,
        origination: host.origination
            ? {
                  // A wildcard resolved per name: each connection's SNI is its name (none configured).
                  sni: resolvedPerName(host) ? "" : host.origination.sni,
                  // The SDS name of the client certificate the gateway presents (MUTUAL only: with SIMPLE the
                  // credential gives the CA), or "".
                  clientCertificate:
                      host.origination.mode === "MUTUAL" && host.origination.credentialName
                          ? `kubernetes://${host.origination.credentialName}`
                          : "",
              }
            : null,
        // A namespace whose clients may use the host (its first source, or one it is exported to); "" if none.
        clientNamespace: clientNamespaceOf(args, host),
        sources: host.sources ?? null,
    };
}

function clientNamespaceOf(args: NormalizedArgs, host: NormalizedHost): string {
    if (host.sources) return host.sources[0].namespace;
    if (args.exportTo.includes("*")) return "default";
    return args.exportTo.find((namespace) => namespace !== "." && namespace !== args.gateway.namespace) ?? "";
}

/** Namespaces the no-bypass check puts a client sidecar in: every one the arguments name, and two they do not. */
function probeNamespaces(args: NormalizedArgs): string[] {
    const named = [
        "default",
        "elsewhere",
        ...args.exportTo,
        ...args.hosts.flatMap((h) => (h.sources ?? []).map((s) => s.namespace)),
        ...(args.antiBypass?.namespaces ?? []),
        ...args.policy.namespaces,
    ];
    // The gateway's own namespace is the gateway's: MeshEgress's gateway-only objects are visible there by design.
    return [...new Set(named)].filter((n) => n !== "*" && n !== "." && n !== args.gateway.namespace).sort();
}

/** A plan as multi-document YAML: the PlanSummary, then every planned manifest. */
export function exportPlan(label: string, scenario: Scenario): string {
    const args = validateArgs(scenario.name, scenario.args);
    const plan = buildPlan(args);
    const summary = {
        apiVersion: "mesh-egress.io/v1alpha1",
        kind: "PlanSummary",
        metadata: { name: label },
        spec: {
            componentName: scenario.name,
            args: JSON.stringify(scenario.args),
            gatewayHost: plan.gatewayHost,
            gatewayNamespace: plan.gatewayNamespace,
            // Under AMBIENT: every namespace with a waypoint of the component's (hostObjects says whose hosts).
            waypointNamespaces: args.dataplane === "AMBIENT" ? args.waypointNamespaces : [],
            gateway: {
                serviceName: args.gateway.serviceName,
                selector: args.gateway.selector,
                deployed: args.gateway.workload !== undefined,
            },
            // With the pod port each one reaches (an existing gateway's Service may translate it).
            gatewayPorts: plan.gatewayPorts.map((port) => ({ ...port, targetPort: podPort(args, port.number) })),
            // Ambient has no hop to choose: ztunnel reaches the waypoint over HBONE.
            ...(args.dataplane === "SIDECAR" ? { hopTls: args.hopTls } : {}),
            dataplane: args.dataplane,
            policyMode: plan.policyMode,
            policy: args.policy,
            exportTo: args.exportTo,
            meshConfigEdit: plan.meshConfigEdit ?? null,
            hostObjects: plan.hostObjects,
            hosts: args.hosts.map((host) => hostIntent(args, host)),
            probeNamespaces: probeNamespaces(args),
            // What a locked namespace's pods may reach, from the arguments (netpol_test.go checks the policies).
            antiBypass: args.antiBypass ? { ...args.antiBypass, istioNamespace: args.istio.namespace } : null,
        },
    };
    return [summary, ...plan.objects.map((o) => o.manifest)]
        .map((doc) => stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false }))
        .join("---\n");
}

/** Every scenario's name: one component each, or several on one gateway (compositions.ts). */
const scenarioNames = () => [...Object.keys(SCENARIOS), ...Object.keys(COMPOSITIONS)];

/** The plan of one named scenario. */
export function exportScenario(scenarioName: string): string {
    const composition = COMPOSITIONS[scenarioName];
    if (composition) return exportComposition(scenarioName, composition, exportPlan);
    const scenario = SCENARIOS[scenarioName];
    if (!scenario) {
        throw new Error(`unknown scenario ${JSON.stringify(scenarioName)} (known: ${scenarioNames().join(", ")})`);
    }
    return exportPlan(scenarioName, scenario);
}

/** Writes every scenario to `<dir>/<scenario>.yaml`; returns the scenario names. */
export function writeScenarios(dir: string): string[] {
    fs.mkdirSync(dir, { recursive: true });
    for (const name of scenarioNames()) fs.writeFileSync(path.join(dir, `${name}.yaml`), exportScenario(name));
    return scenarioNames();
}

/** The fast-check seed of the generated plans; a failure names the file, whose summary holds the arguments. */
export const GENERATED_SEED = 20261130;

/**
 * Writes `count` generated argument sets that MeshEgress accepts to `<dir>/generated-<i>.yaml` (seeded, so every
 * run simulates the same plans); returns how many sets were drawn to find them.
 */
export function writeGenerated(dir: string, count: number, seed = GENERATED_SEED): number {
    fs.mkdirSync(dir, { recursive: true });
    let drawn = 0;
    let written = 0;
    for (const { name, args } of fc.sample(meshEgressCase, { seed, numRuns: count * 20 })) {
        if (written === count) break;
        drawn++;
        let yaml: string;
        try {
            yaml = exportPlan(`generated-${written}`, { name, args });
        } catch (error) {
            if (error instanceof MeshEgressArgsError) continue;
            throw error;
        }
        fs.writeFileSync(path.join(dir, `generated-${written}.yaml`), yaml);
        written++;
    }
    return drawn;
}

function main(argv: string[]): void {
    if (argv[0] === "--list") {
        process.stdout.write(scenarioNames().join("\n") + "\n");
    } else if (argv[0] === "--out" && argv[1]) {
        writeScenarios(argv[1]);
    } else if (argv.length === 1 && !argv[0].startsWith("-")) {
        process.stdout.write(exportScenario(argv[0]));
    } else {
        process.stderr.write("usage: export-plan.ts <scenario> | --out <dir> | --list\n");
        process.exit(2);
    }
}

if (require.main === module) main(process.argv.slice(2));
