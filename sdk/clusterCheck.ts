// Which clusters MeshEgress checks before it registers anything, with which credentials, and what it learns there:
// the Istio cluster (`istioCluster`), and the default kubeconfig's cluster when no provider is passed (the Kubernetes
// provider then sends objects there too). With a provider passed and no `istioCluster`, MeshEgress cannot know the
// objects' cluster; it still checks the mesh config it edits with the default kubeconfig (see MeshEgressArgs).
import * as pulumi from "@pulumi/pulumi";
import { MeshEgressArgs } from "./args";
import { checkCluster } from "./cluster/preflight";
import { EgressPlan, PlannedObject } from "./plan";
import { BoundGatewayService } from "./plan/gateway";
import { LiveReview, describeFinding, reviewLive } from "./plan/drift";
import { MeshConfigTarget } from "./cluster/ownership";

/** What the check found: the live review of the objects, and the mesh config's live mode when MeshEgress edits it. */
export interface ClusterFindings extends LiveReview {
    meshConfigMode?: string;
}

/** The summary's last paragraph: what the live check found, as of the start of this run. */
export function liveCheckLine(findings: ClusterFindings, plannedMode: string | undefined): string {
    const lines = [];
    if (plannedMode !== undefined && findings.meshConfigMode !== undefined) {
        const live = findings.meshConfigMode || "unset";
        lines.push(
            live === plannedMode
                ? `the mesh config's outboundTrafficPolicy.mode is ${live}, as MeshEgress sets it`
                : `the mesh config's outboundTrafficPolicy.mode was ${live}; this run sets ${plannedMode}`,
        );
    }
    const drifted = findings.findings.length;
    lines.push(
        drifted === 0
            ? "every existing object is as planned"
            : `${drifted} object(s) drifted from the plan (named in this run's warnings)`,
    );
    return `\n\nlive check at the start of this run: ${lines.join("; ")}.`;
}

export interface ClusterCheck {
    /** Whether the credentials are `istioCluster`'s; otherwise the default kubeconfig's. */
    istio: boolean;
    /** Who the component is: `<project>/<stack>/<component>` and its objects' instance label. */
    identity: { owner: string; instance: string };
    objects: PlannedObject[];
    meshConfig?: MeshConfigTarget;
    /** The existing gateway's Service the plan binds to, checked where the gateway workload runs. */
    boundService?: BoundGatewayService;
}

export function checksFor(
    plan: EgressPlan,
    separateIstioCluster: boolean,
    explicitProvider: boolean,
    identity: ClusterCheck["identity"],
): ClusterCheck[] {
    const meshConfig = plan.meshConfigEdit && { ...plan.meshConfigEdit, owner: identity.owner };
    // With an explicit provider, MeshEgress does not know the gateway's cluster, so it cannot read its Service.
    const bound = plan.boundService ? { boundService: plan.boundService } : {};
    if (separateIstioCluster) {
        const istio: ClusterCheck = {
            istio: true,
            identity,
            objects: plan.objects.filter((o) => o.cluster === "istio"),
            meshConfig,
        };
        const workload = plan.objects.filter((o) => o.cluster === "workload");
        return explicitProvider ? [istio] : [istio, { istio: false, identity, objects: workload, ...bound }];
    }
    if (!explicitProvider) return [{ istio: false, identity, objects: plan.objects, meshConfig, ...bound }];
    return meshConfig ? [{ istio: false, identity, objects: [], meshConfig }] : [];
}

/**
 * An Output of what the live clusters say about the plan, once every cluster MeshEgress knows has passed the check;
 * it fails with the first problem found, and logs each drifted or deleted object as a warning. In a preview whose
 * `istioCluster` kubeconfig is not known yet (a cluster this update creates), it stays unknown and nothing waits for
 * it; the update checks once the kubeconfig is known.
 */
export function clusterChecked(
    component: pulumi.ComponentResource,
    name: string,
    args: MeshEgressArgs,
    checks: ClusterCheck[],
): pulumi.Output<ClusterFindings> {
    return pulumi
        .all([pulumi.unsecret(pulumi.output(args.istioCluster?.kubeconfig)), pulumi.output(args.istioCluster?.context)])
        .apply(async ([kubeconfig, context]) => {
            const live = new Map<string, Record<string, any>>();
            const unchecked: string[] = [];
            let meshConfigMode: string | undefined;
            try {
                for (const { istio, ...needs } of checks) {
                    const state = await checkCluster({ access: istio ? { kubeconfig, context } : {}, ...needs });
                    for (const [key, object] of state.objects) live.set(key, object);
                    unchecked.push(...state.unchecked);
                    meshConfigMode = state.meshConfigMode ?? meshConfigMode;
                }
            } catch (error) {
                const failure = new pulumi.ResourceError(
                    `MeshEgress ${name}: the cluster check found a problem, so nothing was registered: ` +
                        (error as Error).message,
                    component,
                    true,
                );
                // The Node.js host prints the stack of an error raised after the program's body returned: make it
                // the message, which says all there is to say.
                failure.stack = failure.message;
                throw failure;
            }
            const review = reviewLive(
                checks.flatMap((check) => check.objects),
                live,
            );
            for (const finding of review.findings) await pulumi.log.warn(describeFinding(finding), component);
            for (const what of unchecked) await pulumi.log.warn(what, component);
            return { ...review, meshConfigMode };
        });
}
