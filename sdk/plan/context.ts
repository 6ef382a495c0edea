// What every seam knows about one host: its names, where its objects live, who may use it, and the one way its
// objects are built. The data-plane seams (dataplane/) add what their egress point needs.
import { NormalizedArgs, NormalizedHost } from "../validate/normalized";
import { hostObjectName } from "../naming/hosts";
import { Manifest } from "./manifest";

export interface HostContext {
    host: NormalizedHost;
    /** metadata.name of the host's own objects (a role name for its second object of a kind). */
    objectName: string;
    /** Where every object of the host goes: the egress point's namespace (its waypoint's, under AMBIENT). */
    namespace: string;
    /** Namespaces whose workloads may use the host: its `from` namespaces, else `exportTo`. */
    clients: string[];
    /** Where the host's ServiceEntry and routes are visible: its clients and the egress point's namespace. */
    visibility: string[];
    /** The networking.istio.io API version the mesh's release serves. */
    networkingApi: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
}

/**
 * The namespaces whose workloads may use a host: those its `from` rules name, else `exportTo` ("." spelled as the
 * egress point's namespace, which Istio resolves consistently for every kind, the root namespace included).
 */
function clientsOf(args: NormalizedArgs, host: NormalizedHost): string[] {
    const namespaces = host.sources ? host.sources.map((s) => s.namespace) : args.exportTo;
    return [...new Set(namespaces.map((n) => (n === "." ? args.gateway.namespace : n)))].sort();
}

/** `namespace`: where the host's objects go; the egress point's, unless the host has a waypoint of its own there. */
export function hostContext(
    args: NormalizedArgs,
    host: NormalizedHost,
    labels: Record<string, string>,
    namespace = args.gateway.namespace,
): HostContext {
    const clients = clientsOf(args, host);
    return {
        host,
        objectName: hostObjectName(args.name, host.host),
        namespace,
        clients,
        visibility: clients.includes("*") ? ["*"] : [...new Set([...clients, namespace])].sort(),
        networkingApi: args.istio.apis.networking,
        labels,
        annotations: { "mesh-egress.io/host": host.host },
    };
}

/** How one object of a host differs from the default: another name, labels or API version. */
export interface ObjectOptions {
    name?: string;
    labels?: Record<string, string>;
    apiVersion?: string;
}

/** One object of the host, in its namespace, named, labelled and annotated as the host's (networking.istio.io). */
export function hostObject(
    context: HostContext,
    kind: string,
    spec: Record<string, unknown>,
    options: ObjectOptions = {},
): Manifest {
    return {
        apiVersion: options.apiVersion ?? context.networkingApi,
        kind,
        metadata: {
            name: options.name ?? context.objectName,
            namespace: context.namespace,
            labels: options.labels ?? context.labels,
            annotations: context.annotations,
        },
        spec,
    };
}
