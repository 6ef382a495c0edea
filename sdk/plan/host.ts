// What every per-host recipe needs to know, and the four objects each recipe returns.
import { NormalizedHost } from "../normalized";
import { ISTIO_NETWORKING, Manifest } from "./manifest";

export interface HostContext {
    host: NormalizedHost;
    /** metadata.name shared by the host's ServiceEntry, Gateway, DestinationRule and VirtualService. */
    objectName: string;
    /** The gateway DestinationRule subset for this host. */
    subset: string;
    namespace: string;
    /** FQDN of the gateway Service, e.g. `istio-egressgateway.istio-system.svc.cluster.local`. */
    gatewayHost: string;
    /** `<namespace>/<name>` of this host's Istio Gateway, as VirtualServices reference it. */
    gatewayRef: string;
    /** Labels of the gateway pods. */
    gatewaySelector: Record<string, string>;
    labels: Record<string, string>;
    annotations: Record<string, string>;
}

export interface HostRecipe {
    serviceEntry: Manifest;
    gateway: Manifest;
    destinationRule: Manifest;
    virtualService: Manifest;
}

/** Sidecars in every namespace must see these objects, so traffic from any client goes through the gateway. */
export const VISIBLE_TO_ALL_NAMESPACES = ["*"];

export function istioObject(context: HostContext, kind: string, spec: Record<string, unknown>): Manifest {
    return {
        apiVersion: ISTIO_NETWORKING,
        kind,
        metadata: {
            name: context.objectName,
            namespace: context.namespace,
            labels: context.labels,
            annotations: context.annotations,
        },
        spec,
    };
}

/** The DestinationRule that names this host's subset of the gateway Service (recipes A and B). */
export function gatewaySubsetRule(context: HostContext): Manifest {
    return istioObject(context, "DestinationRule", {
        host: context.gatewayHost,
        exportTo: VISIBLE_TO_ALL_NAMESPACES,
        subsets: [{ name: context.subset }],
    });
}
