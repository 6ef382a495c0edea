// The outbound traffic policy: either an edit of one field of the mesh config, or a root-namespace Sidecar.
import { NormalizedArgs } from "../normalized";
import { ISTIO_NETWORKING, Manifest } from "./manifest";

/** An edit of `outboundTrafficPolicy.mode` in the mesh config ConfigMap; everything else in it is kept. */
export interface MeshConfigEdit {
    namespace: string;
    configMapName: string;
    key: string;
    mode: "REGISTRY_ONLY" | "ALLOW_ANY";
}

export interface PolicyPlan {
    meshConfigEdit?: MeshConfigEdit;
    sidecar?: Manifest;
}

export function outboundPolicy(args: NormalizedArgs, labels: Record<string, string>): PolicyPlan {
    const { mode, target } = args.policy;
    if (mode === "UNMANAGED") return {};
    if (target === "MESH_CONFIG") {
        return {
            meshConfigEdit: {
                namespace: args.istio.namespace,
                configMapName: args.istio.meshConfigMapName,
                key: "mesh",
                mode,
            },
        };
    }
    return {
        sidecar: {
            apiVersion: ISTIO_NETWORKING,
            kind: "Sidecar",
            metadata: { name: `${args.name}-outbound-policy`, namespace: args.istio.rootNamespace, labels },
            spec: { outboundTrafficPolicy: { mode } },
        },
    };
}
