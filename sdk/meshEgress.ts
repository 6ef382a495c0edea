import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { MeshEgressArgs } from "./args";
import { PluginMeshConfigOutboundMode } from "./meshConfig/pluginResource";
import { MeshConfigOutboundMode } from "./meshConfig/resource";
import { NormalizedArgs } from "./normalized";
import { PlannedObject, buildPlan } from "./plan";
import { isHostedByPlugin } from "./provider/hosting";
import { normalizeHost, validateArgs } from "./validate";

/** The Istio objects MeshEgress created for one external host. */
export interface HostObjects {
    /** Namespace of the host's objects. */
    namespace: string;
    /** Name of the host's ServiceEntry. */
    serviceEntry: string;
    /** Name of the host's Istio Gateway. */
    gateway: string;
    /** Name of the host's DestinationRule (its subset of the egress gateway). */
    destinationRule: string;
    /** Name of the host's VirtualService (mesh hop and gateway hop). */
    virtualService: string;
    /** Name of the DestinationRule that originates TLS to the host (origination modes), or "". */
    originationRule: string;
    /** The gateway port the host's traffic arrives on. */
    gatewayPort: number;
}

// The plan's manifests are plain objects of each kind's own shape; the cast only tells TypeScript which kind.
type ResourceFactory = (name: string, manifest: any, opts: pulumi.CustomResourceOptions) => pulumi.Resource;

// Typed classes for core kinds (so awaits and diffs are the provider's own); Istio kinds are custom resources.
const CORE_KINDS: Record<string, ResourceFactory> = {
    "v1/ServiceAccount": (n, m, o) => new k8s.core.v1.ServiceAccount(n, m, o),
    "v1/Service": (n, m, o) => new k8s.core.v1.Service(n, m, o),
    "apps/v1/Deployment": (n, m, o) => new k8s.apps.v1.Deployment(n, m, o),
    "policy/v1/PodDisruptionBudget": (n, m, o) => new k8s.policy.v1.PodDisruptionBudget(n, m, o),
    "autoscaling/v2/HorizontalPodAutoscaler": (n, m, o) => new k8s.autoscaling.v2.HorizontalPodAutoscaler(n, m, o),
    "rbac.authorization.k8s.io/v1/Role": (n, m, o) => new k8s.rbac.v1.Role(n, m, o),
    "rbac.authorization.k8s.io/v1/RoleBinding": (n, m, o) => new k8s.rbac.v1.RoleBinding(n, m, o),
};

function createObject(object: PlannedObject, opts: pulumi.CustomResourceOptions): pulumi.Resource {
    const { manifest } = object;
    const name = manifest.metadata.name;
    const factory = CORE_KINDS[`${manifest.apiVersion}/${manifest.kind}`];
    if (factory) return factory(name, manifest, opts);
    return new k8s.apiextensions.CustomResource(name, manifest as k8s.apiextensions.CustomResourceArgs, opts);
}

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

    constructor(name: string, args: MeshEgressArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate and plan before anything is registered: bad input must never leave a half-applied stack.
        const normalized = validateArgs(name, args);
        const plan = buildPlan(normalized);
        super("mesh-egress:index:MeshEgress", name, recordedArgs(args), opts);
        for (const warning of plan.warnings) pulumi.log.warn(warning, this);
        warnAboutProviderCredentials(this, normalized, opts);

        const istioProvider = args.istioCluster
            ? new k8s.Provider(
                  `${name}-istio`,
                  { kubeconfig: pulumi.secret(args.istioCluster.kubeconfig), context: args.istioCluster.context },
                  { parent: this },
              )
            : undefined;
        const created = new Map<string, pulumi.Resource>();
        for (const object of plan.objects) {
            const resource = createObject(object, {
                parent: this,
                dependsOn: object.dependsOn.map((key) => created.get(key)!),
                ...(object.cluster === "istio" && istioProvider ? { provider: istioProvider } : {}),
            });
            created.set(object.key, resource);
        }
        if (plan.meshConfigEdit) {
            // Inside mesh-egress's own plugin (a program in another language), the plugin serves the edit; in a
            // TypeScript program, Pulumi's Node.js dynamic-provider host does.
            const MeshConfigEdit = isHostedByPlugin() ? PluginMeshConfigOutboundMode : MeshConfigOutboundMode;
            new MeshConfigEdit(
                `${name}-outbound-policy`,
                {
                    ...plan.meshConfigEdit,
                    kubeconfig: args.istioCluster ? pulumi.secret(args.istioCluster.kubeconfig) : undefined,
                    context: args.istioCluster?.context,
                },
                { parent: this, dependsOn: [...created.values()] },
            );
        }

        this.gatewayServiceFqdn = pulumi.output(plan.gatewayHost);
        this.gatewayNamespace = pulumi.output(plan.gatewayNamespace);
        this.gatewayPorts = pulumi.output(plan.gatewayPorts.map((p) => p.number));
        this.outboundTrafficPolicyMode = pulumi.output(plan.policyMode);
        this.hostObjects = pulumi.output(plan.hostObjects);
        this.summary = pulumi.output(plan.summary);
        this.registerOutputs({
            gatewayServiceFqdn: this.gatewayServiceFqdn,
            gatewayNamespace: this.gatewayNamespace,
            gatewayPorts: this.gatewayPorts,
            outboundTrafficPolicyMode: this.outboundTrafficPolicyMode,
            hostObjects: this.hostObjects,
            summary: this.summary,
        });
    }
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

function warnAboutProviderCredentials(
    component: MeshEgress,
    args: NormalizedArgs,
    opts: pulumi.ComponentResourceOptions | undefined,
): void {
    // A remote construct always passes a providers map, empty when the program passed none.
    const providers = opts?.providers ?? {};
    const explicitProvider = opts?.provider !== undefined || Object.keys(providers).length > 0;
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
