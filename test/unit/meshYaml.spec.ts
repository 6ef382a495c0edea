import { expect } from "chai";
import { readOutboundMode, withOutboundMode } from "../../sdk/cluster/meshYaml";

// A mesh config as istioctl's default profile renders it, with a comment to keep.
const MESH = `# Managed by istioctl
defaultConfig:
  discoveryAddress: istiod.istio-system.svc:15012
defaultProviders:
  metrics:
  - prometheus
enablePrometheusMerge: true
rootNamespace: istio-system
trustDomain: cluster.local
`;

describe("mesh config editing", () => {
    it("reads no explicit mode when the mesh config leaves it to Istio's default", () => {
        expect(readOutboundMode(MESH)).to.equal(undefined);
    });
    it("sets the mode and changes nothing else", () => {
        expect(withOutboundMode(MESH, "REGISTRY_ONLY")).to.equal(
            `${MESH}outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n`,
        );
    });
    it("replaces an existing mode in place", () => {
        const mesh =
            "accessLogFile: /dev/stdout\noutboundTrafficPolicy:\n  mode: ALLOW_ANY # default\ntrustDomain: x\n";
        expect(withOutboundMode(mesh, "REGISTRY_ONLY")).to.equal(
            "accessLogFile: /dev/stdout\noutboundTrafficPolicy:\n  mode: REGISTRY_ONLY # default\ntrustDomain: x\n",
        );
    });
    it("restores the original text when the mode that was added is removed", () => {
        expect(withOutboundMode(withOutboundMode(MESH, "REGISTRY_ONLY"), undefined)).to.equal(MESH);
    });
    it("keeps a missing final newline missing, as Helm renders the ConfigMap", () => {
        const mesh = "rootNamespace: istio-system\ntrustDomain: cluster.local";
        expect(withOutboundMode(mesh, "REGISTRY_ONLY")).to.equal(
            `${mesh}\noutboundTrafficPolicy:\n  mode: REGISTRY_ONLY`,
        );
        expect(withOutboundMode(withOutboundMode(mesh, "REGISTRY_ONLY"), undefined)).to.equal(mesh);
    });
    it("keeps other outbound policy fields when removing the mode", () => {
        const mesh = "outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n  egressProxy:\n    host: proxy.example\n";
        expect(withOutboundMode(mesh, undefined)).to.equal(
            "outboundTrafficPolicy:\n  egressProxy:\n    host: proxy.example\n",
        );
    });
    it("handles an empty mesh config", () => {
        expect(withOutboundMode("", "REGISTRY_ONLY")).to.equal("outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n");
    });
    it("refuses a mesh config that is not YAML", () => {
        expect(() => withOutboundMode("a: [", "REGISTRY_ONLY")).to.throw(/^the mesh config is not valid YAML: /);
    });
    it("refuses a mesh config that is not a mapping", () => {
        expect(() => readOutboundMode("- a\n- b\n")).to.throw("the mesh config is not a YAML mapping");
    });
});
