// Every supported Istio release (istio.version) on the real API server with that release's own CRDs: the CRDs of
// 1.19 to 1.30 from istio.io/api at each release (tools/build.sh istio-release-crds), 1.31 from the istio.io/istio
// commit the toolchain builds. For each release, a fixed set of argument sets that uses every mode and setting, plus
// generated ones (seeded), are planned with that `istio.version`, and every object must pass a server-side dry run
// with strict field validation: a field or API version the release does not know is an error, not a warning. The same
// check runs for ASM's IstioGateway (gateway.asm) against a CRD written from ASM's published API.
import { expect } from "chai";
import fc from "fast-check";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { MeshEgressArgs } from "../../sdk";
import { Manifest, buildPlan } from "../../sdk/plan";
import { MeshEgressArgsError, validateArgs } from "../../sdk/validate";
import { NEWEST_ISTIO_MINOR, OLDEST_ISTIO_MINOR } from "../../sdk/validate/istioRelease";
import { meshEgressArgs } from "../support/arbitraries";
import { LocalCluster, startCluster } from "./support/cluster";
import { Toolchain, run, toolchain } from "./support/toolchain";

const SEED = 20261201;
const ASM_CRD = path.join(__dirname, "support", "asm-istiogateway.crd.yaml");
const GENERATED_PER_RELEASE = 80;

/** Argument sets that together use every mode, target and setting MeshEgress emits objects for. */
const EVERY_SETTING: MeshEgressArgs[] = [
    {
        hosts: [
            { host: "aliyun.com" },
            { host: "pay.example.com", from: [{ namespace: "shop", serviceAccount: "checkout" }] },
            { host: "api.example.com", mode: "TLS_PASSTHROUGH" },
            {
                host: "origin.example.com",
                mode: "TLS_ORIGINATION",
                tls: { caCertificates: "/etc/ssl/certs/ca-certificates.crt" },
            },
            { host: "mtls.example.com", mode: "MUTUAL_TLS_ORIGINATION", tls: { credentialName: "client-credential" } },
            { host: "*.wild.example.com", mode: "TLS_PASSTHROUGH", upstreamHost: "www.wild.example.com" },
            { host: "db.example.com", mode: "TCP", port: 5432, addresses: ["10.0.0.0/24"], endpoints: ["10.0.0.7"] },
        ],
        antiBypass: { namespaces: ["shop"] },
        gateway: { replicas: 3, autoscaling: { minReplicas: 3, maxReplicas: 6 } },
    },
    {
        hosts: [{ host: "aliyun.com" }, { host: "db.example.com", mode: "TCP", port: 5432 }],
        outboundTrafficPolicy: { mode: "AUDIT" },
    },
    {
        hosts: [{ host: "aliyun.com" }],
        outboundTrafficPolicy: { mode: "AUDIT", target: "NAMESPACE_SIDECARS", namespaces: ["shop"] },
        gatewayHopTls: "DISABLE",
    },
    {
        hosts: [{ host: "aliyun.com" }],
        outboundTrafficPolicy: { target: "ROOT_NAMESPACE_SIDECAR" },
        existingGateway: { selector: { istio: "egressgateway" }, serviceName: "istio-egressgateway" },
        accessLog: { enabled: false },
    },
];

/** The CRD file of a release: the toolchain's own for the newest, the downloaded ones for the others. */
function crdsOf(tools: Toolchain, minor: number): string {
    return minor === NEWEST_ISTIO_MINOR
        ? tools.env.MESH_EGRESS_ISTIO_CRDS
        : path.join(tools.env.MESH_EGRESS_ISTIO_RELEASE_CRDS, `1.${minor}.yaml`);
}

/** The manifests of every argument set MeshEgress accepts for the release (generated ones it refuses are skipped). */
function plansFor(version: string): { manifests: Manifest[]; plans: number } {
    const generated = fc.sample(meshEgressArgs, { seed: SEED, numRuns: GENERATED_PER_RELEASE });
    const manifests: Manifest[] = [];
    let plans = 0;
    for (const [i, args] of [...EVERY_SETTING, ...generated].entries()) {
        try {
            const plan = buildPlan(validateArgs("egress", { ...args, istio: { ...args.istio, version } }));
            manifests.push(...plan.objects.map((o) => o.manifest));
            plans++;
        } catch (error) {
            if (!(error instanceof MeshEgressArgsError) || i < EVERY_SETTING.length) throw error;
        }
    }
    return { manifests, plans };
}

describe("every supported Istio release: its own CRDs on the real API server take every object, strictly", function () {
    this.timeout(20 * 60 * 1000);
    let tools: Toolchain;
    let cluster: LocalCluster;
    let workDir: string;
    const kubectl = (...args: string[]) => run(tools, "kubectl", ["--kubeconfig", cluster.kubeconfigPath, ...args]);

    before(() => {
        tools = toolchain();
        cluster = startCluster(tools);
        workDir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-releases-"));
        // A CRD may only gain versions while it keeps its stored ones: start from none, then install the releases
        // oldest first.
        kubectl("delete", "-f", tools.env.MESH_EGRESS_ISTIO_CRDS, "--wait=true");
    });

    after(() => {
        cluster?.stop();
        if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
    });

    /** A strict server-side dry run of `manifests` (creating their namespaces for real); returns what kubectl said. */
    function strictDryRun(name: string, manifests: Manifest[]): { stdout: string; stderr: string } {
        const namespaces = [...new Set(manifests.map((m) => m.metadata.namespace).filter((n) => n))] as string[];
        const existing = kubectl("get", "namespaces", "-o", "name").stdout;
        for (const ns of namespaces.filter((n) => !existing.includes(`namespace/${n}\n`))) {
            kubectl("create", "namespace", ns);
        }
        const file = path.join(workDir, `${name}.yaml`);
        fs.writeFileSync(file, manifests.map((m) => stringify(m, { lineWidth: 0 })).join("---\n"));
        const result = kubectl("create", "--dry-run=server", "--validate=strict", "-o", "name", "-f", file);
        expect(result.stdout.trim().split("\n")).to.have.length(manifests.length);
        expect(result.stderr).to.not.match(/warning/i);
        return result;
    }

    it("ASM's IstioGateway: every one MeshEgress emits (gateway.asm) passes a strict dry run of ASM's CRD", () => {
        kubectl("apply", "-f", ASM_CRD);
        kubectl("wait", "--for=condition=Established", "--timeout=60s", "-f", ASM_CRD);
        const asm = { clusterIds: ["c0123456789abcdef0123456789abcdef"] };
        const generated = fc.sample(meshEgressArgs, { seed: SEED, numRuns: GENERATED_PER_RELEASE });
        const gateways: Manifest[] = [];
        for (const { existingGateway: _existing, ...args } of [...EVERY_SETTING, ...generated]) {
            try {
                const withAsm = { ...args, gateway: { ...args.gateway, asm }, istioCluster: { kubeconfig: "asm" } };
                const plan = buildPlan(validateArgs("egress", withAsm));
                gateways.push(...plan.objects.map((o) => o.manifest).filter((m) => m.kind === "IstioGateway"));
            } catch (error) {
                if (!(error instanceof MeshEgressArgsError)) throw error;
            }
        }
        expect(gateways.length, "IstioGateways planned").to.be.at.least(10);
        strictDryRun("asm", gateways);
        process.stdout.write(`        | ${gateways.length} IstioGateways\n`);
    });

    for (let minor = OLDEST_ISTIO_MINOR; minor <= NEWEST_ISTIO_MINOR; minor++) {
        const version = `1.${minor}`;
        it(`Istio ${version}: every object of the plans for istio.version ${version} passes a strict dry run`, () => {
            const crds = crdsOf(tools, minor);
            expect(fs.existsSync(crds), `${crds} (run npm run setup)`).to.equal(true);
            kubectl("apply", "--server-side", "--force-conflicts", "--field-manager=istio-installer", "-f", crds);
            kubectl("wait", "--for=condition=Established", "--timeout=60s", "-f", crds);
            const { manifests, plans } = plansFor(version);
            strictDryRun(version, manifests);
            const apiVersions = [...new Set(manifests.map((m) => m.apiVersion))].filter((v) => v.includes("istio.io"));
            process.stdout.write(
                `        | ${plans} plans, ${manifests.length} objects, with ${apiVersions.sort().join(", ")}\n`,
            );
        });
    }
});
