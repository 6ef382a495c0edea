// Many teams, one gateway: a platform component grants teams the right to route hosts through its gateway, and each
// team's component attaches to it with the grant and declares only hosts.
import { GatewayHopTls, RoutingApi } from "./gateway";
import { EgressMode } from "./hosts";

/** What a platform component lets one team route through its gateway. */
export interface TeamGrant {
    /**
     * The team's name: the key of its attachment in the platform's `attachments` output.
     *
     * Example: `"payments"`.
     */
    name: string;
    /**
     * The namespaces whose workloads the team serves: its hosts are visible there only, its hosts' `from` must name
     * only them, and a host without `from` is open to exactly them.
     *
     * Example: `["payments"]`.
     */
    namespaces: string[];
    /**
     * The modes the team's hosts may use.
     *
     * Default: every mode.
     * Example: `["HTTP", "TLS_PASSTHROUGH"]`.
     */
    modes?: EgressMode[];
    /**
     * The ports the team's hosts may use; the gateway's Service exposes them (routingApi GATEWAY_API listens only on
     * its Service's ports).
     *
     * Default: `[80, 443]`.
     */
    ports?: number[];
}

/** The Istio control plane as a platform's grant passes it on (every field set). */
export interface GrantedIstio {
    /** The Istio release, `MAJOR.MINOR`. */
    version: string;
    /** The Istio namespace. */
    namespace: string;
    /** The control plane's revision, or `""`. */
    revision: string;
    /** Istio's root namespace. */
    rootNamespace: string;
}

/**
 * Everything a team's component needs to attach to a platform's gateway, as the platform's `attachments` output
 * publishes it per team (pass it on from a stack reference to `attachTo`).
 */
export interface EgressAttachment {
    /** The platform component that runs the gateway, `<project>/<stack>/<component>`. */
    platform: string;
    /** The team the grant is for. */
    team: string;
    /** The gateway's namespace. */
    gatewayNamespace: string;
    /** The gateway's Service. */
    gatewayServiceName: string;
    /** The labels of the gateway pods. */
    gatewaySelector: { [key: string]: string };
    /** The pod port each gateway port reaches, where they differ (see existingGateway.targetPorts). */
    targetPorts: { [port: string]: number };
    /** How client sidecars reach the gateway. */
    gatewayHopTls: GatewayHopTls;
    /** The routing API of the platform's routes. */
    routingApi: RoutingApi;
    /** Where Istio's control plane lives. */
    istio: GrantedIstio;
    /** The namespaces the team serves. */
    namespaces: string[];
    /** The modes the team's hosts may use. */
    modes: EgressMode[];
    /** The ports the team's hosts may use. */
    ports: number[];
}
