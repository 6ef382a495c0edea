// A host declared once, for every data plane: its ServiceEntry as its clients see it (the port the app calls, the
// mode's resolution and extra fields, visible where the host may be used), and where its egress point connects when
// that is not the host on the app's port (the mode's upstream). The data planes add how their egress point gets
// there: the sidecar gateway through an alias only it sees, the waypoint through the port's targetPort.
import { HostContext, ObjectOptions, hostObject } from "./context";
import { Manifest } from "./manifest";
import { Upstream, recipeOf } from "./modes";

export interface DeclarationOptions extends Pick<ObjectOptions, "labels"> {
    /** Fields the data plane adds to the app's port, e.g. `targetPort`. */
    port?: Record<string, unknown>;
    /** The data plane's resolution when its clients must not resolve the host as the mode does. */
    resolution?: string;
}

export function serviceEntry(context: HostContext, options: DeclarationOptions = {}): Manifest {
    const { host } = context;
    const recipe = recipeOf(host);
    const protocol = host.appProtocol;
    const port = { number: host.port, name: `${protocol.toLowerCase()}-${host.port}`, protocol, ...options.port };
    const spec = {
        hosts: [host.host],
        location: "MESH_EXTERNAL",
        resolution: options.resolution ?? recipe.resolution(host),
        ports: [port],
        exportTo: context.visibility,
        ...recipe.serviceEntryFields?.(host),
    };
    return hostObject(context, "ServiceEntry", spec, { labels: options.labels });
}

/** Where the host's egress point connects, when not to the host on the app's port. */
export function upstreamOf(context: HostContext): Upstream | undefined {
    return recipeOf(context.host).upstream?.(context.host);
}
