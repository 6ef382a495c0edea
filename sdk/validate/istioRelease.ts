// The Istio release a mesh runs, as MAJOR.MINOR: which API versions its CRDs serve and which features it has.
// Tested releases: every minor from OLDEST to NEWEST, each against its own CRDs on a real API server
// (test/e2e/releases.e2e.spec.ts). A newer release is accepted with a warning: Istio keeps serving v1.
import { Problems, show } from "./problems";

export const OLDEST_ISTIO_MINOR = 19;
export const NEWEST_ISTIO_MINOR = 31;
export const DEFAULT_ISTIO_VERSION = `1.${NEWEST_ISTIO_MINOR}`;

/**
 * Settings that need a release newer than the oldest, with the first release verified to have them. Gateway API
 * routes use ListenerSet and TLSRoute in gateway.networking.k8s.io/v1 (Gateway API 1.5), which the toolchain's
 * Istio reads; earlier releases read only their experimental forms.
 */
export const FIRST_ISTIO_MINOR_WITH = {
    gatewayApiRoutes: 31,
    ambientEgressWaypoint: 31,
    wildcardsResolvedAtGateway: 31,
} as const;

/** The API versions (group/version) a release serves for the Istio kinds MeshEgress emits. */
export interface IstioApiVersions {
    networking: string;
    security: string;
    telemetry: string;
}

/** networking.istio.io/v1 and telemetry.istio.io/v1 arrived in 1.22; AuthorizationPolicy v1 is older than 1.19. */
export function istioApiVersions(minor: number): IstioApiVersions {
    return {
        networking: minor >= 22 ? "networking.istio.io/v1" : "networking.istio.io/v1beta1",
        security: "security.istio.io/v1",
        telemetry: minor >= 22 ? "telemetry.istio.io/v1" : "telemetry.istio.io/v1alpha1",
    };
}

/** Every API version a Istio kind may have been emitted with, for aliases across release upgrades. */
export const EVERY_ISTIO_API_VERSION = [
    ...new Set([OLDEST_ISTIO_MINOR, NEWEST_ISTIO_MINOR].flatMap((minor) => Object.values(istioApiVersions(minor)))),
];

/** The release's minor version, or undefined after reporting why `value` is not one. */
export function validateIstioVersion(problems: Problems, value: unknown): number | undefined {
    if (value === undefined) return NEWEST_ISTIO_MINOR;
    const match = typeof value === "string" ? /^1\.(\d{1,3})(\.\d+)?$/.exec(value) : null;
    if (!match) {
        problems.add("istio.version", `${show(value)} is not an Istio release like "1.24" (MAJOR.MINOR)`);
        return undefined;
    }
    const minor = Number(match[1]);
    if (minor < OLDEST_ISTIO_MINOR) {
        problems.add(
            "istio.version",
            `${show(value)} is older than the oldest release MeshEgress supports, 1.${OLDEST_ISTIO_MINOR}`,
        );
        return undefined;
    }
    return minor;
}
