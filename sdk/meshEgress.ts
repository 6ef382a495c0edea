import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { EgressAttachment, HostObjects, MeshEgressArgs } from "./args";
import { formerIdentities, kindClass } from "./kinds";
import { newMeshConfigEdit } from "./meshConfig/edit";
import { checksFor, clusterChecked, liveCheckLine } from "./clusterCheck";
import { EgressPlan, PlannedObject, buildPlan } from "./plan";
import { REPAIR_ANNOTATION } from "./plan/drift";
import { OWNER_ANNOTATION, ObjectMeta } from "./plan/manifest";
import { fitName } from "./naming/fit";
import { normalizeHost } from "./naming/hosts";
import { validateArgs } from "./validate";
import { isDeferred } from "./validate/problems";
import { NormalizedArgs } from "./validate/normalized";

/**
 * Routes a service mesh's outbound traffic through an Istio egress gateway: deploys the gateway (or uses an existing
 * one), emits per external host the ServiceEntry, Gateway, DestinationRule and VirtualService that send it
 * mesh → egress gateway → host, and sets the mesh's outbound traffic policy once every route exists.
 */
export class MeshEgress extends pulumi.ComponentResource {
    /** Fully qualified name of the egress gateway Service, e.g. `egress-gateway.istio-system.svc.cluster.local`. */
    public readonly gatewayServiceFqdn: pulumi.Output<string>;
    /** Namespace of the egress gateway and of every Istio object MeshEgress created. */
    public readonly gatewayNamespace: pulumi.Output<string>;
    /** Ports the egress gateway listens on for external hosts (the status port 15021 not included). */
    public readonly gatewayPorts: pulumi.Output<number[]>;
    /** The outbound traffic policy MeshEgress set: `REGISTRY_ONLY`, `ALLOW_ANY`, or `UNMANAGED`. */
    public readonly outboundTrafficPolicyMode: pulumi.Output<string>;
    /** Per external host, the names of its Istio objects. */
    public readonly hostObjects: pulumi.Output<{ [host: string]: HostObjects }>;
    /**
     * The egress surface as a markdown table (host, ports, mode, allowed sources, gateway port), for reviewers to
     * read in the preview's outputs.
     */
    public readonly summary: pulumi.Output<string>;

    /**
     * Per team this component grants its gateway to (`teams`), what the team's component attaches with
     * (`attachTo`): pass it on through a stack reference.
     */
    public readonly attachments: pulumi.Output<{ [team: string]: EgressAttachment }>;

    constructor(name: string, args: MeshEgressArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate and plan before anything is registered: bad input must never leave a half-applied stack. An
        // attachment that is still an Output (a stack reference's) is waited for first; its children, and their
        // validation, come once it is known (at preview for a stack reference).
        const planned = isDeferred(args.attachTo) ? undefined : planOf(name, args, args.attachTo);
        super("mesh-egress:index:MeshEgress", name, recordedArgs(args), opts);
        const published = pulumi.output(
            planned
                ? registerPlan(this, name, args, opts, planned)
                : pulumi.output(args.attachTo).apply((attachment) => {
                      let plan: Planned;
                      try {
                          plan = planOf(name, args, attachment);
                      } catch (error) {
                          const failure = new pulumi.ResourceError((error as Error).message, this, true);
                          failure.stack = failure.message;
                          throw failure;
                      }
                      return registerPlan(this, name, args, opts, plan);
                  }),
        );
        this.gatewayServiceFqdn = published.gatewayServiceFqdn;
        this.gatewayNamespace = published.gatewayNamespace;
        this.gatewayPorts = published.gatewayPorts;
        this.outboundTrafficPolicyMode = published.outboundTrafficPolicyMode;
        this.hostObjects = published.hostObjects;
        this.summary = published.summary;
        this.attachments = published.attachments;
        this.registerOutputs({
            gatewayServiceFqdn: this.gatewayServiceFqdn,
            gatewayNamespace: this.gatewayNamespace,
            gatewayPorts: this.gatewayPorts,
            outboundTrafficPolicyMode: this.outboundTrafficPolicyMode,
            hostObjects: this.hostObjects,
            summary: this.summary,
            attachments: this.attachments,
        });
    }
}

interface Planned {
    normalized: NormalizedArgs;
    plan: EgressPlan;
}

function planOf(name: string, args: MeshEgressArgs, attachment: unknown): Planned {
    const normalized = validateArgs(name, args, attachment);
    return { normalized, plan: buildPlan(normalized) };
}

/** The component's outputs, some known only once the cluster check has run. */
interface Published {
    gatewayServiceFqdn: string;
    gatewayNamespace: string;
    gatewayPorts: number[];
    outboundTrafficPolicyMode: string;
    hostObjects: { [host: string]: HostObjects };
    summary: pulumi.Output<string>;
    attachments: { [team: string]: EgressAttachment };
}

/** Registers one resource per planned object, after the cluster check; returns the component's outputs. */
function registerPlan(
    component: MeshEgress,
    name: string,
    args: MeshEgressArgs,
    opts: pulumi.ComponentResourceOptions | undefined,
    { normalized, plan }: Planned,
): Published {
    for (const warning of plan.warnings) pulumi.log.warn(warning, component);
    const explicitProvider = hasExplicitProvider(opts);
    warnAboutProviderCredentials(component, normalized, explicitProvider);
    const owner = `${pulumi.getProject()}/${pulumi.getStack()}/${name}`;
    // Nothing is registered before the cluster check passes: a cluster that cannot take the plan fails the
    // preview, and an update creates nothing.
    // Under Pulumi's mocks (unit tests of a program) there is no cluster to check.
    const mocked = pulumi.runtime.getMonitor() instanceof MockMonitor;
    const identity = { owner, instance: fitName(name) };
    const checks = checksFor(plan, normalized.separateIstioCluster, explicitProvider, identity);
    const checked = normalized.clusterCheck && !mocked ? clusterChecked(component, name, args, checks) : undefined;
    const after = (resources: pulumi.Resource[]): pulumi.Input<pulumi.Resource[]> =>
        checked ? checked.apply(() => resources) : resources;
    // A drifted object is registered with a new repair annotation, which makes the provider apply it again.
    const metadataOf = (object: PlannedObject): pulumi.Input<ObjectMeta> =>
        checked
            ? checked.apply((review) => owned(object.manifest.metadata, owner, review.repairs.get(object.key)))
            : owned(object.manifest.metadata, owner, undefined);

    const istioProvider = args.istioCluster
        ? new k8s.Provider(
              `${name}-istio`,
              { kubeconfig: pulumi.secret(args.istioCluster.kubeconfig), context: args.istioCluster.context },
              { parent: component, dependsOn: after([]) },
          )
        : undefined;
    const created = new Map<string, pulumi.Resource>();
    for (const object of plan.objects) {
        const Kind = kindClass(object.manifest);
        const resource = new Kind(
            object.resourceName,
            { ...object.manifest, metadata: metadataOf(object) },
            {
                parent: component,
                aliases: formerIdentities(object),
                dependsOn: after(object.dependsOn.map((key) => created.get(key)!)),
                ...(object.cluster === "istio" && istioProvider ? { provider: istioProvider } : {}),
            },
        );
        created.set(object.key, resource);
    }
    if (plan.meshConfigEdit) {
        newMeshConfigEdit(
            `${name}-outbound-policy`,
            {
                ...plan.meshConfigEdit,
                owner,
                kubeconfig: args.istioCluster ? pulumi.secret(args.istioCluster.kubeconfig) : undefined,
                context: args.istioCluster?.context,
            },
            { parent: component, dependsOn: after([...created.values()]) },
        );
    }
    return {
        gatewayServiceFqdn: plan.gatewayHost,
        gatewayNamespace: plan.gatewayNamespace,
        gatewayPorts: plan.gatewayPorts.map((p) => p.number),
        outboundTrafficPolicyMode: plan.policyMode,
        hostObjects: plan.hostObjects,
        summary: checked
            ? checked.apply((findings) => plan.summary + liveCheckLine(findings, plan.meshConfigEdit?.mode))
            : pulumi.output(plan.summary),
        attachments: Object.fromEntries(
            Object.entries(plan.attachments).map(([team, attachment]) => [team, { platform: owner, ...attachment }]),
        ),
    };
}

/**
 * The component's own inputs as saved in state and shown in previews: hosts in a canonical order (so reordering the
 * list previews as no change at all), and the Istio cluster's kubeconfig encrypted.
 */
function recordedArgs(args: MeshEgressArgs): MeshEgressArgs {
    const hosts = [...args.hosts].sort((a, b) => normalizeHost(a.host).localeCompare(normalizeHost(b.host)));
    if (!args.istioCluster) return { ...args, hosts };
    const istioCluster = { ...args.istioCluster, kubeconfig: pulumi.secret(args.istioCluster.kubeconfig) };
    return { ...args, hosts, istioCluster };
}

/**
 * Every object records its owner (the cluster check refuses to take over another owner's), and is applied with force:
 * MeshEgress owns its objects whole, so a field someone changed by hand is taken back instead of failing on a
 * server-side-apply conflict with the hand editor. `repair` is the repair annotation.
 */
function owned(metadata: ObjectMeta, owner: string, repair: string | undefined): ObjectMeta {
    const annotations: Record<string, string> = {
        ...metadata.annotations,
        [OWNER_ANNOTATION]: owner,
        "pulumi.com/patchForce": "true",
    };
    if (repair !== undefined) annotations[REPAIR_ANNOTATION] = repair;
    return { ...metadata, annotations };
}

function hasExplicitProvider(opts: pulumi.ComponentResourceOptions | undefined): boolean {
    // A remote construct always passes a providers map, empty when the program passed none.
    return opts?.provider !== undefined || Object.keys(opts?.providers ?? {}).length > 0;
}

function warnAboutProviderCredentials(component: MeshEgress, args: NormalizedArgs, explicitProvider: boolean): void {
    if (args.policy.mode !== "UNMANAGED" && args.policy.target === "MESH_CONFIG" && explicitProvider) {
        if (!args.separateIstioCluster) {
            pulumi.log.warn(
                "the mesh config is edited with $KUBECONFIG or ~/.kube/config, not with the provider passed to this " +
                    "component; if that provider uses another kubeconfig, set istioCluster to it",
                component,
            );
        }
    }
}
