// What a data-plane seam plans besides its objects: the egress point every declared host leaves through, and each
// host's objects by name, for the component's outputs.
import { HostObjects } from "../../args";
import { BoundGatewayService, GatewayPort } from "../gateway";

export interface EgressPoint {
    /** The egress point's Service FQDN: the gateway's, or the waypoint's. */
    host: string;
    /** The ports clients reach it on. */
    ports: GatewayPort[];
    /** A Service MeshEgress relies on without creating it: the cluster check reads its ports. */
    boundService?: BoundGatewayService;
    hostObjects: Record<string, HostObjects>;
}

/**
 * The Role and RoleBinding that let the egress proxy read credentialName Secrets. A rule naming a credential waits
 * for them: istiod checks the proxy's right to read the Secret when the rule reaches it, remembers a refusal, and
 * does not ask again when the binding appears later, so the host would answer 503 until the proxy restarts.
 */
export function secretReaders(keys: string[]): string[] {
    return keys.filter((key) => key.startsWith("Role/") || key.startsWith("RoleBinding/"));
}
