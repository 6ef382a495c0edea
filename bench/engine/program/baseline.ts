// The same objects as MeshEgress, written the way a hand-written program declares them: inline, with the same
// logical names, manifests, classes and dependencies, and no component, validation or plan at run time (the plan
// was computed by the driver). Like the component, it registers the mesh-config edit last, depending on everything.
import * as pulumi from "@pulumi/pulumi";
import { MeshConfigOutboundMode } from "../../../bin/sdk/meshConfig/resource";
import { kindClass } from "../../../bin/sdk/kinds";
import { input, provider } from "./input";

const plan = input.plan!;
const created = new Map<string, pulumi.Resource>();
for (const { key, manifest, dependsOn } of plan.objects) {
    const Kind = kindClass(manifest);
    // MeshEgress applies its objects with force (see meshEgress.ts); so does a careful hand-written program.
    const annotations = { ...manifest.metadata.annotations, "pulumi.com/patchForce": "true" };
    const forced = { ...manifest, metadata: { ...manifest.metadata, annotations } };
    created.set(
        key,
        new Kind(manifest.metadata.name, forced, { provider, dependsOn: dependsOn.map((k) => created.get(k)!) }),
    );
}
new MeshConfigOutboundMode(
    "egress-outbound-policy",
    {
        ...plan.meshConfigEdit,
        owner: `${pulumi.getProject()}/${pulumi.getStack()}/egress`,
        kubeconfig: undefined,
        context: undefined,
    },
    { dependsOn: [...created.values()] },
);
