// Istio applies one Telemetry without a selector or targetRefs per namespace, the oldest (istioctl analyze reports
// more as MultipleTelemetriesWithoutWorkloadSelectors). The audit's Telemetry is such a one, so where another already
// is, one of the two would be silently ignored: the audit would log nothing, or the user's settings would stop.
import { PlannedObject } from "../plan/manifest";

function namespaceWide(spec: Record<string, any> | undefined): boolean {
    return Object.keys(spec?.selector?.matchLabels ?? {}).length === 0 && !spec?.targetRef && !spec?.targetRefs?.length;
}

/** One problem per planned namespace-wide Telemetry whose namespace already has another. */
export function rivalTelemetries(objects: PlannedObject[], neighbours: Map<string, Record<string, any>[]>): string[] {
    return objects
        .filter(({ manifest }) => manifest.kind === "Telemetry" && namespaceWide(manifest.spec as Record<string, any>))
        .flatMap(({ key, manifest }) => {
            const { name, namespace } = manifest.metadata;
            const rivals = (neighbours.get(key) ?? [])
                .filter((item) => item.metadata.name !== name && namespaceWide(item.spec))
                .map((item) => `${namespace}/${item.metadata.name}`);
            if (rivals.length === 0) return [];
            return [
                `outboundTrafficPolicy.mode AUDIT logs through Telemetry ${namespace}/${name}, which applies to all of ` +
                    `namespace ${namespace}, but Telemetry ${rivals.join(", ")} already does, and Istio applies only ` +
                    `the oldest such Telemetry of a namespace (one of them would be ignored): give that Telemetry a ` +
                    `selector, or audit namespaces without one (outboundTrafficPolicy.target NAMESPACE_SIDECARS)`,
            ];
        });
}
