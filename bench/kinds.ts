// The class MeshEgress uses for each kind (its own map in sdk/meshEgress.ts is private), for the baseline programs
// that register the same objects by hand: typed classes for core kinds, CustomResource for Istio kinds. The baselines'
// digest checks fail if this drifts from the component's map.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export type KindClass = new (name: string, args: any, opts: pulumi.CustomResourceOptions) => pulumi.Resource;

export const CORE_KINDS: Record<string, KindClass> = {
    "v1/ServiceAccount": k8s.core.v1.ServiceAccount,
    "v1/Service": k8s.core.v1.Service,
    "apps/v1/Deployment": k8s.apps.v1.Deployment,
    "policy/v1/PodDisruptionBudget": k8s.policy.v1.PodDisruptionBudget,
    "autoscaling/v2/HorizontalPodAutoscaler": k8s.autoscaling.v2.HorizontalPodAutoscaler,
    "rbac.authorization.k8s.io/v1/Role": k8s.rbac.v1.Role,
    "rbac.authorization.k8s.io/v1/RoleBinding": k8s.rbac.v1.RoleBinding,
};
