// A planned object's manifest by key, failing with every key the plan has when it is missing.
import { EgressPlan } from "../../sdk/plan";

export function manifest(p: EgressPlan, key: string) {
    const object = p.objects.find((o) => o.key === key);
    if (!object) throw new Error(`no object ${key} in ${p.objects.map((o) => o.key).join(", ")}`);
    return object.manifest;
}
