// The package root is what a TypeScript program imports: every type the schema names must be importable from it under
// the same name, so a program can name what it builds (an `ExternalHost[]`, an `AntiBypass`) and use the enums.
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import * as root from "../../index";

/** Compiles only while the package root exports each of these types. */
interface PublicTypes {
    ExternalHost: root.ExternalHost;
    EgressMode: root.EgressMode;
    TeamGrant: root.TeamGrant;
    EgressAttachment: root.EgressAttachment;
    GrantedIstio: root.GrantedIstio;
    AllowedSource: root.AllowedSource;
    OriginationTls: root.OriginationTls;
    EgressGateway: root.EgressGateway;
    GatewayResources: root.GatewayResources;
    ResourceQuantities: root.ResourceQuantities;
    Toleration: root.Toleration;
    GatewayDisruptionBudget: root.GatewayDisruptionBudget;
    GatewayAutoscaling: root.GatewayAutoscaling;
    ExistingGateway: root.ExistingGateway;
    AsmGateway: root.AsmGateway;
    OutboundTrafficPolicy: root.OutboundTrafficPolicy;
    OutboundTrafficPolicyMode: root.OutboundTrafficPolicyMode;
    OutboundPolicyTarget: root.OutboundPolicyTarget;
    GatewayHopTls: root.GatewayHopTls;
    RoutingApi: root.RoutingApi;
    Dataplane: root.Dataplane;
    ExistingWaypoint: root.ExistingWaypoint;
    AntiBypass: root.AntiBypass;
    AccessLog: root.AccessLog;
    IstioControlPlane: root.IstioControlPlane;
    KubernetesCluster: root.KubernetesCluster;
    HostObjects: root.HostObjects;
}

// Every key of PublicTypes, no more (checked by the compiler).
const EXPORTED_TYPES = Object.keys({
    ExternalHost: true,
    EgressMode: true,
    AllowedSource: true,
    OriginationTls: true,
    EgressGateway: true,
    GatewayResources: true,
    ResourceQuantities: true,
    Toleration: true,
    GatewayDisruptionBudget: true,
    GatewayAutoscaling: true,
    ExistingGateway: true,
    AsmGateway: true,
    OutboundTrafficPolicy: true,
    OutboundTrafficPolicyMode: true,
    OutboundPolicyTarget: true,
    GatewayHopTls: true,
    RoutingApi: true,
    Dataplane: true,
    ExistingWaypoint: true,
    AntiBypass: true,
    AccessLog: true,
    IstioControlPlane: true,
    KubernetesCluster: true,
    HostObjects: true,
    TeamGrant: true,
    EgressAttachment: true,
    GrantedIstio: true,
} satisfies Record<keyof PublicTypes, true>);

describe("the package root", () => {
    it("exports every type the schema names, under the schema's name", () => {
        const snapshot = JSON.parse(fs.readFileSync(path.join(__dirname, "schema.snapshot.json"), "utf8"));
        const schemaTypes = Object.keys(snapshot.types).map((token) => token.split(":").pop()!);
        expect([...EXPORTED_TYPES].sort()).to.deep.equal(schemaTypes.sort());
    });

    it("exports at run time the component, the validation error and the six enumerations, nothing else", () => {
        expect(Object.keys(root).sort()).to.deep.equal([
            "Dataplane",
            "EgressMode",
            "GatewayHopTls",
            "MeshEgress",
            "MeshEgressArgsError",
            "OutboundPolicyTarget",
            "OutboundTrafficPolicyMode",
            "RoutingApi",
        ]);
        expect(root.GatewayHopTls).to.equal(require("../../sdk/args/gateway").GatewayHopTls);
    });
});
