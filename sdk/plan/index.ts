// The pure plan: normalized arguments in, every Kubernetes object MeshEgress manages out, with stable keys and
// dependencies. No Pulumi here, so tests, benchmarks and review summaries share it. A host is declared once
// (declare.ts, by its mode's recipe in modes/), served by a data-plane seam (dataplane/: the sidecar data plane's
// gateway, routed by a routing seam in route/; or the ambient data plane's waypoint), and the enforcement that blocks
// what is not declared comes last.
import { Dataplane, HostObjects } from "../args";
import { fitName } from "../naming/fit";
import { NormalizedArgs } from "../validate/normalized";
import { ObjectCollector, objectCollector, resourceName } from "./collector";
import { ambientEgressPoint } from "./dataplane/ambient";
import { EgressPoint } from "./dataplane/egressPoint";
import { sidecarEgressPoint } from "./dataplane/sidecar";
import { BoundGatewayService, GatewayPort } from "./gateway";
import { PlannedObject } from "./manifest";
import { MeshConfigEdit, outboundPolicy } from "./policy";
import { reviewSummary, riskWarnings } from "./review";
import { antiBypassPolicies } from "./security";
import { TeamAttachment, teamAttachments } from "./teams";

export { PlannedObject, Manifest, TargetCluster } from "./manifest";
export { MeshConfigEdit } from "./policy";

export interface EgressPlan {
    /** In an order where every object comes after its dependencies. */
    objects: PlannedObject[];
    /** Present when the policy is written into the mesh config; it depends on every object. */
    meshConfigEdit?: MeshConfigEdit;
    gatewayHost: string;
    gatewayNamespace: string;
    gatewayPorts: GatewayPort[];
    /** A Service MeshEgress relies on without creating it: the cluster check reads its ports. */
    boundService?: BoundGatewayService;
    policyMode: NormalizedArgs["policy"]["mode"];
    hostObjects: Record<string, HostObjects>;
    /** The egress surface as a markdown table, for reviewers. */
    summary: string;
    /** Risky but legal setups. */
    warnings: string[];
    /** Per team this component grants its gateway to, what the team attaches with (teams.ts). */
    attachments: Record<string, TeamAttachment>;
}

const MANAGED_BY_LABELS = { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "mesh-egress" };

/**
 * Enforcement last, depending on every object: no declared host is ever blocked or denied during a rollout, and on
 * destroy the previous policy is back before any route disappears.
 */
function addEnforcement(
    args: NormalizedArgs,
    labels: Record<string, string>,
    { objects, add }: ObjectCollector,
    egressPoint: EgressPoint,
): MeshConfigEdit | undefined {
    const before = objects.map((o) => o.key);
    const ports = egressPoint.ports.map((p) => p.number);
    for (const networkPolicy of antiBypassPolicies(args, labels, ports)) add(networkPolicy, "workload", before);
    const policy = outboundPolicy(args, labels);
    for (const sidecar of policy.sidecars) add(sidecar, "istio", before);
    return policy.meshConfigEdit;
}

export function buildPlan(args: NormalizedArgs): EgressPlan {
    const labels = { ...MANAGED_BY_LABELS, "mesh-egress.io/instance": fitName(args.name) };
    const collector = objectCollector((manifest) => resourceName(args.name, manifest));
    const egressPoint =
        args.dataplane === Dataplane.Ambient
            ? ambientEgressPoint(args, labels, collector)
            : sidecarEgressPoint(args, labels, collector);
    const meshConfigEdit = addEnforcement(args, labels, collector, egressPoint);
    return {
        objects: collector.objects,
        ...(meshConfigEdit ? { meshConfigEdit } : {}),
        gatewayHost: egressPoint.host,
        gatewayNamespace: args.gateway.namespace,
        gatewayPorts: egressPoint.ports,
        ...(egressPoint.boundService ? { boundService: egressPoint.boundService } : {}),
        policyMode: args.policy.mode,
        hostObjects: egressPoint.hostObjects,
        summary: reviewSummary(args),
        warnings: riskWarnings(args),
        attachments: teamAttachments(args),
    };
}
