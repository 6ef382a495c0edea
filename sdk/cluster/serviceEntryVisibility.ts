// Istio 1.31's `serviceEntryVisibility` in the mesh config scopes each ServiceEntry by the labels of the namespace it
// is written in: NONE (no data plane at all), NAMESPACE (that namespace only) or PUBLIC. It applies to ztunnel and
// waypoints, and to sidecars only with `applyToSidecars`. A plan whose ServiceEntries resolve to NONE or NAMESPACE
// there would declare hosts no client can use: under AMBIENT their traffic would no longer go to the waypoint but
// straight out, into the antiBypass NetworkPolicies (an outage); under SIDECAR, REGISTRY_ONLY would block them.
import { PlannedObject } from "../plan/manifest";

/** Kubernetes label selector semantics (Istio's mesh config LabelSelector). */
interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

interface VisibilityPolicy {
    visibility?: string | number;
    matchingRules?: { namespaceSelector?: LabelSelector }[];
}

/** The mesh config's `serviceEntryVisibility`, as YAML gives it. */
export interface ServiceEntryVisibilityConfig {
    defaultVisibility?: string | number;
    applyToSidecars?: boolean;
    policies?: VisibilityPolicy[];
}

// The proto's enum numbers, which the mesh config also accepts.
const VISIBILITY_NAMES: Record<number, string> = { 0: "PUBLIC", 1: "NONE", 2: "NAMESPACE", 3: "PUBLIC" };

function visibilityName(value: string | number | undefined): string {
    if (value === undefined || value === "VISIBILITY_UNSPECIFIED") return "PUBLIC";
    return typeof value === "number" ? (VISIBILITY_NAMES[value] ?? "PUBLIC") : value;
}

function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
    if (!selector) return true;
    const byLabels = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
    return (
        byLabels &&
        (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
            switch (operator) {
                case "In":
                    return key in labels && values.includes(labels[key]);
                case "NotIn":
                    return !(key in labels) || !values.includes(labels[key]);
                case "Exists":
                    return key in labels;
                case "DoesNotExist":
                    return !(key in labels);
                default:
                    return false;
            }
        })
    );
}

/** The visibility Istio gives a ServiceEntry in a namespace with these labels: the first policy whose rules all match. */
export function resolveVisibility(
    config: ServiceEntryVisibilityConfig,
    namespaceLabels: Record<string, string>,
): string {
    const policy = (config.policies ?? []).find((p) =>
        (p.matchingRules ?? []).every((rule) => selects(rule.namespaceSelector, namespaceLabels)),
    );
    return visibilityName(policy ? policy.visibility : config.defaultVisibility);
}

/** The namespaces of the plan's ServiceEntries, and whether they bind to a waypoint (the ambient data plane). */
export function serviceEntryNamespaces(objects: PlannedObject[]): { namespaces: string[]; ambient: boolean } {
    const entries = objects.filter(({ manifest }) => manifest.kind === "ServiceEntry");
    return {
        namespaces: [...new Set(entries.map(({ manifest }) => manifest.metadata.namespace as string))].sort(),
        ambient: entries.some(({ manifest }) => manifest.metadata.labels?.["istio.io/use-waypoint"] !== undefined),
    };
}

/** The problem, if the mesh config hides the plan's ServiceEntries from the clients they are for. */
export function hiddenServiceEntries(
    config: ServiceEntryVisibilityConfig | undefined,
    ambient: boolean,
    namespaceLabels: Map<string, Record<string, string>>,
): string | undefined {
    if (!config || (!ambient && !config.applyToSidecars)) return undefined;
    const hidden = [...namespaceLabels]
        .map(([namespace, labels]) => ({ namespace, visibility: resolveVisibility(config, labels) }))
        .filter(({ visibility }) => visibility !== "PUBLIC");
    if (hidden.length === 0) return undefined;
    return (
        `the mesh config's serviceEntryVisibility makes MeshEgress's ServiceEntries in namespace ` +
        `${hidden.map(({ namespace, visibility }) => `${namespace} ${visibility}`).join(", ")}, so no client in another namespace could use the hosts ` +
        (ambient
            ? "(their traffic would go straight out, into the antiBypass NetworkPolicies, instead of to the waypoint)"
            : "(REGISTRY_ONLY would block them)") +
        ". Add a policy that makes that namespace PUBLIC, e.g. { visibility: PUBLIC, matchingRules: [{ namespaceSelector: " +
        `{ matchLabels: { "kubernetes.io/metadata.name": "${hidden[0].namespace}" } } }] } before the others`
    );
}
