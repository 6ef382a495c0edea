// The policy pack's rules (policy/rules.ts) on resources as a policy sees them: what they flag, and that MeshEgress's
// own objects pass.
import { expect } from "chai";
import { allowAnyMeshWide, allowPolicyOnEgressGateway, externalHostOutsideMeshEgress } from "../../policy/rules";

const STACK = "urn:pulumi:prod::platform::";
const serviceEntry = (urn: string, hosts: string[], location = "MESH_EXTERNAL") => ({
    type: "kubernetes:networking.istio.io/v1:ServiceEntry",
    urn,
    props: { metadata: { name: "stripe", namespace: "default" }, spec: { hosts, location } },
});

describe("the policy pack's rules", () => {
    it("flags a ServiceEntry for an external host declared outside MeshEgress", () => {
        expect(
            externalHostOutsideMeshEgress(
                serviceEntry(`${STACK}kubernetes:networking.istio.io/v1:ServiceEntry::stripe`, ["api.stripe.com"]),
            ),
        ).to.deep.equal([
            "ServiceEntry default/stripe declares the external host(s) api.stripe.com outside MeshEgress: declare them " +
                "in a MeshEgress component, whose routes go through the egress gateway and whose source rules and " +
                "conflict checks then cover them",
        ]);
    });

    it("lets MeshEgress's own ServiceEntries and cluster-local ones pass", () => {
        const child = `${STACK}mesh-egress:index:MeshEgress$kubernetes:networking.istio.io/v1:ServiceEntry::egress/istio-system/x`;
        expect(externalHostOutsideMeshEgress(serviceEntry(child, ["api.stripe.com"]))).to.deep.equal([]);
        const local = `${STACK}kubernetes:networking.istio.io/v1:ServiceEntry::db`;
        expect(externalHostOutsideMeshEgress(serviceEntry(local, ["db.data.svc.cluster.local"]))).to.deep.equal([]);
        expect(externalHostOutsideMeshEgress(serviceEntry(local, ["api.stripe.com"], "MESH_INTERNAL"))).to.deep.equal(
            [],
        );
    });

    it("flags a VirtualService or Gateway routing an external host outside MeshEgress", () => {
        const vs = {
            type: "kubernetes:networking.istio.io/v1beta1:VirtualService",
            urn: `${STACK}kubernetes:networking.istio.io/v1beta1:VirtualService::cnn`,
            props: { metadata: { name: "cnn", namespace: "istio-system" }, spec: { hosts: ["edition.cnn.com"] } },
        };
        expect(externalHostOutsideMeshEgress(vs)).to.deep.equal([
            "VirtualService istio-system/cnn routes the external host(s) edition.cnn.com outside MeshEgress",
        ]);
    });

    it("flags ALLOW_ANY, by MeshEgress's edit, a mesh config, or a namespace-wide Sidecar", () => {
        expect(
            allowAnyMeshWide({
                type: "mesh-egress:index:MeshConfigOutboundMode",
                urn: "",
                props: { mode: "ALLOW_ANY" },
            }),
        ).to.have.length(1);
        const mesh = { metadata: { name: "istio" }, data: { mesh: "outboundTrafficPolicy:\n  mode: ALLOW_ANY\n" } };
        expect(allowAnyMeshWide({ type: "kubernetes:core/v1:ConfigMap", urn: "", props: mesh })).to.deep.equal([
            "the mesh config istio sets outboundTrafficPolicy.mode ALLOW_ANY",
        ]);
        const registryOnly = { ...mesh, data: { mesh: "outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n" } };
        expect(allowAnyMeshWide({ type: "kubernetes:core/v1:ConfigMap", urn: "", props: registryOnly })).to.deep.equal(
            [],
        );
    });

    it("flags an ALLOW policy on egress gateway pods, and lets DENY policies and targetRefs pass", () => {
        const policy = (spec: Record<string, unknown>) => ({
            type: "kubernetes:security.istio.io/v1:AuthorizationPolicy",
            urn: "",
            props: { metadata: { name: "p", namespace: "istio-system" }, spec },
        });
        const selector = { matchLabels: { istio: "egressgateway" } };
        expect(allowPolicyOnEgressGateway(policy({ selector, rules: [{}] }))).to.deep.equal([
            'AuthorizationPolicy istio-system/p ALLOWs on egress gateway pods ({"istio":"egressgateway"}): Istio then ' +
                "denies every other request there, MeshEgress's hosts included; restrict callers with DENY rules, as " +
                "MeshEgress does",
        ]);
        expect(allowPolicyOnEgressGateway(policy({ selector, action: "DENY" }))).to.deep.equal([]);
        expect(allowPolicyOnEgressGateway(policy({ targetRefs: [{ kind: "ServiceEntry" }] }))).to.deep.equal([]);
    });
});
