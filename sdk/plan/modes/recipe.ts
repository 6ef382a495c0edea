// What a mode decides about a host, whatever the data plane and routing API: how the mesh resolves it, what its
// ServiceEntry adds, and where the egress point connects when that is not the host on the app's port. The app's
// protocol (HTTP, TLS or TCP, from validation) decides the rest: ports, listeners and route kinds in every seam.
import { NormalizedHost } from "../../validate/normalized";

/** Where the egress point connects for a host when it is not the host itself on the app's port. */
export interface Upstream {
    /** The server's DNS name: the host for TLS origination, the one server of a wildcard (or the wildcard itself). */
    server: string;
    port: number;
    /** What the egress point speaks to the server. */
    protocol: "HTTP" | "HTTPS" | "TLS";
    /** The egress point resolves each name under the wildcard `server` itself, from the request (DYNAMIC_DNS). */
    perName?: boolean;
    /** The TLS settings the egress point originates with (a DestinationRule's `tls`), when it originates. */
    tls?: Record<string, unknown>;
}

export interface ModeRecipe {
    /** The host's ServiceEntry `resolution`. */
    resolution(host: NormalizedHost): string;
    /** Fields the host's ServiceEntry has besides hosts, location, resolution, ports and exportTo. */
    serviceEntryFields?(host: NormalizedHost): Record<string, unknown>;
    /** Where the egress point connects, when not to the host on the app's port. */
    upstream?(host: NormalizedHost): Upstream | undefined;
}
