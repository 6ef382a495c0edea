// The guardrails of mesh-egress's policy pack, as plain functions of a resource (its type, URN and inputs), so that
// they are tested without an engine. index.ts hands them to @pulumi/policy.

/** A resource as a policy sees it. */
export interface Inspected {
    type: string;
    urn: string;
    props: Record<string, any>;
}

/** Whether the resource is a child of a MeshEgress component (its URN's type chain). */
function insideMeshEgress(resource: Inspected): boolean {
    return resource.urn.includes("mesh-egress:index:MeshEgress$");
}

/** Whether a type is the kind of an Istio API group, whatever its version (a CustomResource's type token). */
function istioKind(type: string, group: string, kind: string): boolean {
    return new RegExp(`^kubernetes:${group.replace(/\./g, "\\.")}/v[0-9a-z]+:${kind}$`).test(type);
}

/** A name inside the cluster (a Service, a short name), not an external host. */
function clusterLocal(host: string): boolean {
    return !host.includes(".") || /\.(svc|cluster\.local|svc\.cluster\.local)$/.test(host.replace(/\.$/, ""));
}

/**
 * An Istio object that routes an external host, declared outside MeshEgress: a MESH_EXTERNAL ServiceEntry, or a
 * VirtualService or Gateway naming an external host. One reason per finding.
 */
export function externalHostOutsideMeshEgress(resource: Inspected): string[] {
    if (insideMeshEgress(resource)) return [];
    const spec = resource.props.spec ?? {};
    const name = `${resource.props.metadata?.namespace ?? ""}/${resource.props.metadata?.name ?? ""}`;
    if (istioKind(resource.type, "networking.istio.io", "ServiceEntry") && spec.location !== "MESH_INTERNAL") {
        const hosts = ((spec.hosts ?? []) as string[]).filter((h) => !clusterLocal(h));
        if (hosts.length > 0) {
            return [
                `ServiceEntry ${name} declares the external host(s) ${hosts.join(", ")} outside MeshEgress: declare ` +
                    "them in a MeshEgress component, whose routes go through the egress gateway and whose source " +
                    "rules and conflict checks then cover them",
            ];
        }
    }
    const routed = istioKind(resource.type, "networking.istio.io", "VirtualService")
        ? ((spec.hosts ?? []) as string[])
        : istioKind(resource.type, "networking.istio.io", "Gateway")
          ? ((spec.servers ?? []) as { hosts?: string[] }[]).flatMap((s) =>
                (s.hosts ?? []).map((h) => h.split("/").pop()!),
            )
          : [];
    const external = routed.filter((h) => h !== "*" && !clusterLocal(h));
    if (external.length === 0) return [];
    const kind = resource.type.split(":").pop();
    return [`${kind} ${name} routes the external host(s) ${external.join(", ")} outside MeshEgress`];
}

/** The mesh's outbound traffic policy set to ALLOW_ANY, by MeshEgress or by anything else. */
export function allowAnyMeshWide(resource: Inspected): string[] {
    const { type, props } = resource;
    if (
        (type === "pulumi-nodejs:dynamic/mesh-egress:MeshConfigOutboundMode" ||
            type === "mesh-egress:index:MeshConfigOutboundMode") &&
        props.mode === "ALLOW_ANY"
    ) {
        return ["MeshEgress sets the mesh's outboundTrafficPolicy.mode to ALLOW_ANY: every external host is reachable"];
    }
    if (type === "kubernetes:core/v1:ConfigMap" && /^istio(-|$)/.test(props.metadata?.name ?? "")) {
        const mesh = props.data?.mesh;
        if (typeof mesh === "string" && /outboundTrafficPolicy:\s*\n\s+mode:\s*["']?ALLOW_ANY/.test(mesh)) {
            return [`the mesh config ${props.metadata.name} sets outboundTrafficPolicy.mode ALLOW_ANY`];
        }
    }
    const policy = props.spec?.outboundTrafficPolicy?.mode;
    if (istioKind(type, "networking.istio.io", "Sidecar") && policy === "ALLOW_ANY" && !props.spec?.workloadSelector) {
        return [`Sidecar ${props.metadata?.namespace}/${props.metadata?.name} sets ALLOW_ANY for its whole namespace`];
    }
    return [];
}

/**
 * An ALLOW AuthorizationPolicy on egress gateway pods: once any ALLOW policy selects a workload, Istio denies every
 * request there that no ALLOW matches, every MeshEgress host on that gateway included.
 */
export function allowPolicyOnEgressGateway(resource: Inspected): string[] {
    if (!istioKind(resource.type, "security.istio.io", "AuthorizationPolicy")) return [];
    const spec = resource.props.spec ?? {};
    const labels: Record<string, string> = spec.selector?.matchLabels ?? {};
    const egress = Object.values(labels).some((value) => /egress/.test(String(value)));
    if ((spec.action ?? "ALLOW") !== "ALLOW" || !egress || spec.targetRefs || spec.targetRef) return [];
    const name = `${resource.props.metadata?.namespace}/${resource.props.metadata?.name}`;
    return [
        `AuthorizationPolicy ${name} ALLOWs on egress gateway pods (${JSON.stringify(labels)}): Istio then denies ` +
            "every other request there, MeshEgress's hosts included; restrict callers with DENY rules, as MeshEgress does",
    ];
}
