// Which fields of a live object differ from what MeshEgress planned for it: a hand edit (kubectl edit, patch) of a
// route or a policy is drift that the next update must take back. Istio's kinds have no server-side defaults, so
// their spec must be exactly as planned (a field added by hand counts); other kinds are compared on the fields
// MeshEgress sets, since the API server fills in defaults.
import { createHash } from "node:crypto";
import { Manifest, PlannedObject } from "./manifest";

/** The annotation whose change makes the Kubernetes provider apply an object again (see the Pulumi layer). */
export const REPAIR_ANNOTATION = "mesh-egress.io/repair";

/** Kinds whose whole spec MeshEgress owns, so that a field it did not set is drift too: Istio's and Gateway API's. */
function ownsWholeSpec(apiVersion: string): boolean {
    return apiVersion.includes(".istio.io/") || apiVersion.startsWith("gateway.networking.k8s.io/");
}

/** Fields the Gateway API CRDs default when MeshEgress leaves them out: present live, set by no one. */
const GATEWAY_API_DEFAULTS: Record<string, unknown> = {
    weight: 1,
    matches: [{ path: { type: "PathPrefix", value: "/" } }],
};

function differences(
    planned: unknown,
    live: unknown,
    path: string,
    exact: boolean,
    defaults: Record<string, unknown> = {},
): string[] {
    if (Array.isArray(planned)) {
        if (!Array.isArray(live) || live.length !== planned.length) return [path];
        return planned.flatMap((item, i) => differences(item, live[i], `${path}[${i}]`, exact, defaults));
    }
    if (planned !== null && typeof planned === "object") {
        if (live === null || typeof live !== "object" || Array.isArray(live)) return [path];
        const plannedObject = planned as Record<string, unknown>;
        const liveObject = live as Record<string, unknown>;
        const changed = Object.keys(plannedObject).flatMap((key) =>
            differences(plannedObject[key], liveObject[key], `${path}.${key}`, exact, defaults),
        );
        const added = exact
            ? Object.keys(liveObject).filter(
                  (key) =>
                      !(key in plannedObject) &&
                      !(key in defaults && differences(defaults[key], liveObject[key], "", true).length === 0),
              )
            : [];
        return [...changed, ...added.map((key) => `${path}.${key}`)];
    }
    return planned === live ? [] : [path];
}

/**
 * The paths at which `live` differs from `planned`, e.g. `spec.hosts`, `metadata.labels.app`; empty when it is as
 * planned. Only the labels and annotations MeshEgress sets are compared, and never the repair annotation.
 */
export function driftedFields(planned: Manifest, live: Record<string, any>): string[] {
    const exact = ownsWholeSpec(planned.apiVersion);
    const defaults = planned.apiVersion.startsWith("gateway.networking.k8s.io/") ? GATEWAY_API_DEFAULTS : {};
    const { apiVersion: _apiVersion, kind: _kind, metadata, ...body } = planned;
    const { [REPAIR_ANNOTATION]: _repair, ...annotations } = metadata.annotations ?? {};
    const liveMetadata = live.metadata ?? {};
    return [
        ...differences(metadata.labels ?? {}, liveMetadata.labels ?? {}, "metadata.labels", false),
        ...differences(annotations, liveMetadata.annotations ?? {}, "metadata.annotations", false),
        ...Object.keys(body).flatMap((key) => differences(body[key], live[key], key, exact, defaults)),
    ];
}

/** What the live cluster says about one planned object. */
export interface LiveFinding {
    object: PlannedObject;
    /** The drifted fields, or "deleted" when the object is gone while others of its host (or the shared ones) exist. */
    drift: string[] | "deleted";
}

export interface LiveReview {
    /** The repair annotation each object is registered with: changed when it drifted, kept otherwise. */
    repairs: Map<string, string>;
    findings: LiveFinding[];
}

function digest(value: unknown): string {
    return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 12);
}

/**
 * Compares the live objects with the plan. A drifted object gets a new repair annotation value (a digest of what is
 * live), so the Kubernetes provider applies it again, with force; an object as planned keeps the value it has, so
 * nothing changes. A deleted object can only be recreated by Pulumi once a refresh has noticed it is gone.
 */
export function reviewLive(objects: PlannedObject[], live: Map<string, Record<string, any>>): LiveReview {
    const repairs = new Map<string, string>();
    const findings: LiveFinding[] = [];
    const groupExists = new Set(objects.filter((o) => live.has(o.key)).map((o) => o.host ?? ""));
    for (const object of objects) {
        const current = live.get(object.key);
        if (!current) {
            if (groupExists.has(object.host ?? "")) findings.push({ object, drift: "deleted" });
            continue;
        }
        const drift = driftedFields(object.manifest, current);
        const kept = current.metadata?.annotations?.[REPAIR_ANNOTATION];
        if (drift.length > 0) {
            const { metadata: _metadata, status: _status, ...body } = current;
            repairs.set(object.key, digest([drift, body]));
            findings.push({ object, drift });
        } else if (kept !== undefined) {
            repairs.set(object.key, kept);
        }
    }
    return { repairs, findings };
}

/** A finding as the user reads it in the preview. */
export function describeFinding({ object, drift }: LiveFinding): string {
    const { kind, metadata } = object.manifest;
    const what = `${kind} ${metadata.namespace ? `${metadata.namespace}/` : ""}${metadata.name}`;
    const whose = object.host ? ` (host ${object.host})` : "";
    if (drift === "deleted") {
        return `${what}${whose} was deleted outside Pulumi: \`pulumi up --refresh\` creates it again`;
    }
    const fields = drift.length > 6 ? [...drift.slice(0, 6), `${drift.length - 6} more`] : drift;
    return `${what}${whose} was changed outside Pulumi (${fields.join(", ")}): this update applies MeshEgress's version again`;
}
