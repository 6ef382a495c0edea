// One Pulumi resource per planned manifest: the Kubernetes provider's typed class for core kinds (so its awaits and
// diffs apply), a CustomResource for Istio kinds. The benchmark's hand-written baselines use the same map.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Manifest, PlannedObject } from "./plan";
import { EVERY_ISTIO_API_VERSION } from "./validate/istioRelease";

export type KindClass = new (name: string, args: any, opts: pulumi.CustomResourceOptions) => pulumi.Resource;

export const CORE_KINDS: Record<string, KindClass> = {
    "v1/ServiceAccount": k8s.core.v1.ServiceAccount,
    "v1/ConfigMap": k8s.core.v1.ConfigMap,
    "v1/Service": k8s.core.v1.Service,
    "apps/v1/Deployment": k8s.apps.v1.Deployment,
    "policy/v1/PodDisruptionBudget": k8s.policy.v1.PodDisruptionBudget,
    "autoscaling/v2/HorizontalPodAutoscaler": k8s.autoscaling.v2.HorizontalPodAutoscaler,
    "rbac.authorization.k8s.io/v1/Role": k8s.rbac.v1.Role,
    "rbac.authorization.k8s.io/v1/RoleBinding": k8s.rbac.v1.RoleBinding,
};

/** The class a manifest is registered with. */
export function kindClass(manifest: Manifest): KindClass {
    return CORE_KINDS[`${manifest.apiVersion}/${manifest.kind}`] ?? k8s.apiextensions.CustomResource;
}

/**
 * The same object as registered under an Istio release with other API versions: a custom resource's type is
 * `kubernetes:<apiVersion>:<kind>`, so without these aliases an `istio.version` upgrade would replace every object.
 */
function apiVersionTypes(manifest: Manifest): string[] {
    const group = manifest.apiVersion.split("/")[0];
    return EVERY_ISTIO_API_VERSION.filter(
        (apiVersion) => apiVersion.startsWith(`${group}/`) && apiVersion !== manifest.apiVersion,
    ).map((apiVersion) => `kubernetes:${apiVersion}:${manifest.kind}`);
}

/**
 * Every identity the object had before: under other Istio API versions, and under the name earlier builds gave it (its
 * Kubernetes name alone, which the objects of two namespaces shared), so that a stack they deployed updates in place.
 * When several objects now claim that one former name, the engine refuses the preview rather than guess which one it
 * was (docs/operations.md, "Upgrading").
 */
export function formerIdentities(object: PlannedObject): pulumi.Alias[] {
    const formerName = object.manifest.metadata.name;
    const types = apiVersionTypes(object.manifest);
    return [
        { name: formerName },
        ...types.map((type) => ({ type })),
        ...types.map((type) => ({ type, name: formerName })),
    ];
}
