// A planned object's manifest by key, failing with every key the plan has when it is missing; the labels of every
// object of a component named "egress", and the Pulumi name of each.
import { EgressPlan } from "../../sdk/plan";

export const LABELS = {
    "app.kubernetes.io/managed-by": "pulumi",
    "app.kubernetes.io/part-of": "mesh-egress",
    "mesh-egress.io/instance": "egress",
};

export function manifest(p: EgressPlan, key: string) {
    const object = p.objects.find((o) => o.key === key);
    if (!object) throw new Error(`no object ${key} in ${p.objects.map((o) => o.key).join(", ")}`);
    return object.manifest;
}

/** The Pulumi name of an object of the component "egress" (sdk/plan/collector.ts). */
export function childName(name: string, namespace = "istio-system"): string {
    return `egress/${namespace}/${name}`;
}
