// Gateway API routes cannot say where they are visible: Istio gives the VirtualService it makes from each route the
// mesh config's `defaultVirtualServiceExportTo`. A narrower default would hide a host's mesh route from its clients
// while they still see its ServiceEntry, so they would reach the host directly, around the gateway.
import { PlannedObject } from "../plan/manifest";

const GATEWAY_API_ROUTES = ["HTTPRoute", "TLSRoute", "TCPRoute"];

/** The problem, if the plan has Gateway API routes and the mesh's default hides VirtualServices from any namespace. */
export function hiddenRoutes(objects: PlannedObject[], defaultExportTo: string[] | undefined): string | undefined {
    const routes = objects.filter(
        ({ manifest }) =>
            manifest.apiVersion.startsWith("gateway.networking.k8s.io/") && GATEWAY_API_ROUTES.includes(manifest.kind),
    );
    if (routes.length === 0 || defaultExportTo === undefined || defaultExportTo.includes("*")) return undefined;
    return (
        `routingApi GATEWAY_API: the mesh config sets defaultVirtualServiceExportTo ${JSON.stringify(defaultExportTo)}, ` +
        "which Istio gives the VirtualServices it makes from Gateway API routes; client namespaces outside it would see " +
        "the hosts' ServiceEntries but not their routes, and reach the hosts directly, around the gateway. Set it to " +
        '["*"], or use routingApi ISTIO (whose VirtualServices set exportTo themselves)'
    );
}
