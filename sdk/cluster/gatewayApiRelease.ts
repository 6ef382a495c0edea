// istiod ignores a Gateway API route kind whose CRD is older than it reads (TLSRoute v1 from Gateway API 1.5, TCPRoute
// v1 from 1.6, by the CRD's bundle-version annotation). The host's ServiceEntry would still be there without its mesh
// route, so clients would reach the host directly, around the gateway.
import { PlannedObject } from "../plan/manifest";

/** The oldest Gateway API release whose CRD istiod reads, per route kind MeshEgress emits. */
export const MINIMUM_BUNDLE: Record<string, [number, number]> = { TLSRoute: [1, 5], TCPRoute: [1, 6] };

export const BUNDLE_ANNOTATION = "gateway.networking.k8s.io/bundle-version";

/** The route kinds of the plan whose CRD release istiod must accept, with their CRD names. */
export function routeCrdsToCheck(objects: PlannedObject[]): { kind: string; crd: string }[] {
    const kinds = new Set(
        objects
            .filter(({ manifest }) => manifest.apiVersion.startsWith("gateway.networking.k8s.io/"))
            .map(({ manifest }) => manifest.kind)
            .filter((kind) => kind in MINIMUM_BUNDLE),
    );
    return [...kinds].sort().map((kind) => ({ kind, crd: `${kind.toLowerCase()}s.gateway.networking.k8s.io` }));
}

/** The problem with a route CRD's bundle version (its annotation's value, or undefined without one), if any. */
export function outdatedRouteCrd(kind: string, bundleVersion: string | undefined): string | undefined {
    const [major, minor] = MINIMUM_BUNDLE[kind];
    const match = /^v?(\d+)\.(\d+)/.exec(bundleVersion ?? "");
    if (match && (Number(match[1]) > major || (Number(match[1]) === major && Number(match[2]) >= minor))) {
        return undefined;
    }
    return (
        `routingApi GATEWAY_API: the ${kind} CRD is ${bundleVersion ? `from Gateway API ${bundleVersion}` : `not marked with ${BUNDLE_ANNOTATION}`}, ` +
        `and istiod reads ${kind} only from Gateway API v${major}.${minor}: the hosts' mesh routes would be ignored ` +
        `and their clients would reach them directly, around the gateway. Install the Gateway API CRDs v${major}.${minor} or later (standard channel)`
    );
}
