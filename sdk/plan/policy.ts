// The outbound traffic policy: either an edit of one field of the mesh config, or a root-namespace Sidecar.
import { NormalizedArgs } from "../validate/normalized";
import { Manifest } from "./manifest";
import { derivedName } from "../naming/hosts";

/** An edit of `outboundTrafficPolicy.mode` in the mesh config ConfigMap; everything else in it is kept. */
export interface MeshConfigEdit {
    namespace: string;
    configMapName: string;
    key: string;
    mode: "REGISTRY_ONLY" | "ALLOW_ANY";
}

export interface PolicyPlan {
    meshConfigEdit?: MeshConfigEdit;
    sidecars: Manifest[];
}

export function outboundPolicy(args: NormalizedArgs, labels: Record<string, string>): PolicyPlan {
    const { target } = args.policy;
    if (args.policy.mode === "UNMANAGED") return { sidecars: [] };
    // Audit lets undeclared traffic through, as ALLOW_ANY does; its Telemetry is planned in audit.ts.
    const mode = args.policy.mode === "AUDIT" ? "ALLOW_ANY" : args.policy.mode;
    if (target === "MESH_CONFIG") {
        return {
            sidecars: [],
            meshConfigEdit: {
                namespace: args.istio.namespace,
                configMapName: args.istio.meshConfigMapName,
                key: "mesh",
                mode,
            },
        };
    }
    // One selector-less Sidecar per namespace is that namespace's default; in the root namespace, the mesh's.
    const namespaces = target === "ROOT_NAMESPACE_SIDECAR" ? [args.istio.rootNamespace] : args.policy.namespaces;
    return {
        sidecars: namespaces.map((namespace) => ({
            apiVersion: args.istio.apis.networking,
            kind: "Sidecar",
            metadata: { name: derivedName(args.name, "outbound-policy"), namespace, labels },
            spec: { outboundTrafficPolicy: { mode } },
        })),
    };
}
