// mesh-egress's policy pack (policy/) on the real CLI: a stack with a ServiceEntry for an external host written by
// hand fails its preview with the pack's mandatory violation; a stack of MeshEgress passes.
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { scratchStack } from "./support/scratchProject";
import { LOCAL_PROGRAM } from "./support/stack";
import { REPO, Toolchain, toolchain } from "./support/toolchain";

/** The pack as an analyzer executable (the Node.js language host served here cannot start a pack itself). */
const PACK = path.join(REPO, "policy", "analyzer");

describe("the policy pack on the real CLI (pulumi preview --policy-pack)", function () {
    this.timeout(10 * 60 * 1000);
    let tools: Toolchain;
    let workHome: string;
    // Render mode: no cluster, and no kubeconfig (render mode refuses one).
    const env = () => ({ KUBECONFIG: "" });

    before(() => {
        tools = toolchain();
        workHome = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-policy-"));
    });

    after(() => {
        if (workHome) fs.rmSync(workHome, { recursive: true, force: true });
    });

    async function previewWithPack(program: string, config: Record<string, string>): Promise<string> {
        const stack = await scratchStack(tools, workHome, program, path.basename(program), env());
        for (const [key, value] of Object.entries(config)) await stack.setConfig(key, { value });
        try {
            const result = await stack.preview({ policyPacks: [PACK] });
            return result.stdout;
        } catch (error) {
            return `FAILED ${(error as Error).message}`;
        }
    }

    it("fails the preview of a stack with a hand-written ServiceEntry for an external host, naming it", async () => {
        const output = await previewWithPack(path.join(REPO, "test", "e2e", "programs", "handwritten"), {
            renderDir: path.join(workHome, "handwritten"),
        });
        expect(output).to.match(/^FAILED/);
        expect(output).to.include("external-host-outside-meshegress");
        expect(output).to.include(
            "ServiceEntry default/stripe declares the external host(s) api.stripe.com outside MeshEgress",
        );
    });

    it("lets a stack of MeshEgress through", async () => {
        const output = await previewWithPack(LOCAL_PROGRAM, {
            renderDir: path.join(workHome, "meshegress"),
            hosts: JSON.stringify([
                { host: "api.stripe.com", mode: "TLS_PASSTHROUGH", from: [{ namespace: "payments" }] },
            ]),
            outboundTrafficPolicy: JSON.stringify({ target: "ROOT_NAMESPACE_SIDECAR" }),
        });
        expect(output).to.not.match(/^FAILED/);
        // The pack ran and found nothing: Pulumi lists it passed.
        expect(output).to.match(/Policies:\n\s+✅ mesh-egress@v0\.1\.0/);
        expect(output).to.not.include("external-host-outside-meshegress");
    });
});
