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
import { buildPlan } from "../../sdk/plan";
import { validateArgs } from "../../sdk/validate";

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
};

/** The plan of one scenario as multi-document YAML: the PlanSummary, then every planned manifest. */
export function exportPlan(scenarioName: string): string {
    const scenario = SCENARIOS[scenarioName];
    if (!scenario)
        throw new Error(
            `unknown scenario ${JSON.stringify(scenarioName)} (known: ${Object.keys(SCENARIOS).join(", ")})`,
        );
    const plan = buildPlan(validateArgs(scenario.name, scenario.args));
    const summary = {
        apiVersion: "mesh-egress.io/v1alpha1",
        kind: "PlanSummary",
        metadata: { name: scenarioName },
        spec: {
            gatewayHost: plan.gatewayHost,
            gatewayNamespace: plan.gatewayNamespace,
            gatewayPorts: plan.gatewayPorts,
            policyMode: plan.policyMode,
            meshConfigEdit: plan.meshConfigEdit ?? null,
            hostObjects: plan.hostObjects,
        },
    };
    return [summary, ...plan.objects.map((o) => o.manifest)]
        .map((doc) => stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false }))
        .join("---\n");
}

/** Writes every scenario to `<dir>/<scenario>.yaml`; returns the scenario names. */
export function writeScenarios(dir: string): string[] {
    fs.mkdirSync(dir, { recursive: true });
    for (const name of Object.keys(SCENARIOS)) fs.writeFileSync(path.join(dir, `${name}.yaml`), exportPlan(name));
    return Object.keys(SCENARIOS);
}

function main(argv: string[]): void {
    if (argv[0] === "--list") {
        process.stdout.write(Object.keys(SCENARIOS).join("\n") + "\n");
    } else if (argv[0] === "--out" && argv[1]) {
        writeScenarios(argv[1]);
    } else if (argv.length === 1 && !argv[0].startsWith("-")) {
        process.stdout.write(exportPlan(argv[0]));
    } else {
        process.stderr.write("usage: export-plan.ts <scenario> | --out <dir> | --list\n");
        process.exit(2);
    }
}

if (require.main === module) main(process.argv.slice(2));
