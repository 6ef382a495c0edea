// The same objects as MeshEgress, written the way a hand-written program declares them: inline, with the same
// logical names, manifests, classes and dependencies, and no component, validation or plan at run time (the plan
// was computed by the driver). Like the component, it registers the mesh-config edit last, depending on everything.
import * as pulumi from "@pulumi/pulumi";
import { MeshConfigOutboundMode } from "../../../bin/sdk/meshConfig/resource";
import { kindClass } from "../../../bin/sdk/kinds";
import { OWNER_ANNOTATION } from "../../../bin/sdk/plan/manifest";
import { input, provider } from "./input";

const plan = input.plan!;
const owner = `${pulumi.getProject()}/${pulumi.getStack()}/egress`;
const created = new Map<string, pulumi.Resource>();
for (const { key, resourceName, manifest, dependsOn } of plan.objects) {
    const Kind = kindClass(manifest);
    // MeshEgress records its objects' owner and applies them with force (see meshEgress.ts); so does a careful
    // hand-written program, under the same names.
    const annotations = {
        ...manifest.metadata.annotations,
        [OWNER_ANNOTATION]: owner,
        "pulumi.com/patchForce": "true",
    };
    const forced = { ...manifest, metadata: { ...manifest.metadata, annotations } };
    created.set(key, new Kind(resourceName, forced, { provider, dependsOn: dependsOn.map((k) => created.get(k)!) }));
}
new MeshConfigOutboundMode(
    "egress-outbound-policy",
    { ...plan.meshConfigEdit, owner, kubeconfig: undefined, context: undefined },
    { dependsOn: [...created.values()] },
);
