// The validated, defaulted form of MeshEgressArgs that the plan consumes. Values that may be Pulumi Outputs are
// carried as opaque `unknown`s: the plan places them into specs without looking inside.
import { IstioApiVersions } from "./istioRelease";
import {
    Dataplane,
    EgressMode,
    GatewayHopTls,
    OutboundPolicyTarget,
    OutboundTrafficPolicyMode,
    RoutingApi,
} from "../args";

/** What the application sends, which decides the sidecar's listener on the app port. */
export type AppProtocol = "HTTP" | "TLS" | "TCP";

/** TLS the gateway originates to the external host. */
export interface NormalizedOrigination {
    mode: "SIMPLE" | "MUTUAL";
    sni: string;
    credentialName?: string;
    caCertificates?: string;
    subjectAltNames?: string[];
}

/** For TCP: CIDRs the sidecars match, and static endpoints (empty: resolve the host with DNS). */
export interface NormalizedTcp {
    addresses: string[];
    endpoints: string[];
}

/** What every host has, whatever its mode. */
interface HostCommon {
    /** Lower-cased, without trailing dot. */
    host: string;
    /** Port the app connects to. */
    port: number;
    appProtocol: AppProtocol;
    /** Port the gateway connects to on the external host. */
    externalPort: number;
    /** Port the gateway listens on for this host (shared with other hosts unless dedicated). */
    gatewayPort: number;
    /** True when no other host uses `gatewayPort` (TCP, and TLS inside the mutual-TLS hop). */
    dedicatedGatewayPort: boolean;
    /** For a wildcard host: the concrete server the gateway sends every matching name to. */
    upstreamHost?: string;
    /** Workloads allowed to reach the host; undefined: every workload. */
    sources?: { namespace: string; serviceAccount?: string }[];
}

/** HTTP and TLS passthrough: the egress point forwards what the app sends. */
export interface ForwardedHost extends HostCommon {
    mode: typeof EgressMode.Http | typeof EgressMode.TlsPassthrough;
    origination?: never;
    tcp?: never;
}

/** The egress point originates TLS to the host. */
export interface OriginatedHost extends HostCommon {
    mode: typeof EgressMode.TlsOrigination | typeof EgressMode.MutualTlsOrigination;
    origination: NormalizedOrigination;
    tcp?: never;
}

export interface TcpHost extends HostCommon {
    mode: typeof EgressMode.Tcp;
    origination?: never;
    tcp: NormalizedTcp;
}

/** A validated host: what its mode requires is in its type. */
export type NormalizedHost = ForwardedHost | OriginatedHost | TcpHost;

export interface GatewayWorkload {
    annotations: Record<string, string>;
    replicas: unknown;
    resources: unknown;
    nodeSelector: unknown;
    tolerations: unknown;
    spreadAcrossNodes: boolean;
    podDisruptionBudget: { enabled: boolean; maxUnavailable: number };
    autoscaling?: { minReplicas: number; maxReplicas: number; targetCpuUtilizationPercentage: number };
    /** Present when ASM runs the gateway (an IstioGateway) in these data-plane clusters. */
    asm?: { clusterIds: string[] };
}

export interface NormalizedGateway {
    /** Name of the gateway Service (and, when deployed, of its other objects). */
    serviceName: string;
    namespace: string;
    /** Labels of the gateway pods: Service selector and Istio Gateway selector. */
    selector: Record<string, string>;
    /** Present when MeshEgress deploys the gateway; absent for an existing gateway. */
    workload?: GatewayWorkload;
    /** An existing gateway's pod port per Service port, where they differ. */
    targetPorts: Record<number, number>;
}

export interface NormalizedIstio {
    /** The release, `1.<minor>`. */
    version: string;
    minor: number;
    /** The API versions that release serves for the kinds MeshEgress emits. */
    apis: IstioApiVersions;
    namespace: string;
    revision: string;
    rootNamespace: string;
    /** `istio` or `istio-<revision>`. */
    meshConfigMapName: string;
}

/** Client namespaces locked to the egress point by NetworkPolicies. */
export interface NormalizedAntiBypass {
    namespaces: string[];
    allowNamespaces: string[];
    dnsNamespace: string;
    controlPlaneSelector: Record<string, string>;
}

/** A team the component lets route hosts through its gateway (MeshEgressArgs.teams). */
export interface NormalizedTeam {
    name: string;
    namespaces: string[];
    modes: EgressMode[];
    ports: number[];
}

/** What every data plane has. */
interface CommonArgs {
    /** The component name; prefixes every object name. */
    name: string;
    /** Sorted by host, so the plan never depends on list order. */
    hosts: NormalizedHost[];
    /** Istio `exportTo` of the ServiceEntries and VirtualServices. */
    exportTo: string[];
    gateway: NormalizedGateway;
    istio: NormalizedIstio;
    policy: { mode: OutboundTrafficPolicyMode; target: OutboundPolicyTarget; namespaces: string[] };
    accessLog: { enabled: boolean; provider: string };
    /** Whether Istio objects go to a separate cluster (`istioCluster`). */
    separateIstioCluster: boolean;
    /** Whether the cluster check runs before anything is registered. */
    clusterCheck: boolean;
    /** The teams this component grants its gateway to. */
    teams: NormalizedTeam[];
    /** The platform grant this component is attached to (attachTo), for reviewers. */
    attachedTo?: { platform: string; team: string };
}

/** Client sidecars reach an egress gateway through routes of the routing API. */
export interface SidecarArgs extends CommonArgs {
    dataplane: typeof Dataplane.Sidecar;
    /** TLS between client sidecars and the gateway. */
    hopTls: GatewayHopTls;
    /** The traffic API the routes are written in. */
    routingApi: RoutingApi;
    antiBypass?: NormalizedAntiBypass;
}

/**
 * ztunnel reaches an egress waypoint over HBONE; `gateway` is the waypoint: `serviceName` its Gateway's name,
 * `selector` its pods' label, `workload` (absent for an existing waypoint) the settings of its parameters. There are
 * no routes and no hop TLS to choose, and antiBypass is required: ztunnel does not apply REGISTRY_ONLY.
 */
export interface AmbientArgs extends CommonArgs {
    dataplane: typeof Dataplane.Ambient;
    antiBypass: NormalizedAntiBypass;
    /** Where MeshEgress's waypoints are, each with a share of the hosts: `gateway.namespace`, then the shards. */
    waypointNamespaces: string[];
    /** Each host's waypoint namespace, by host (drawn once: the plan and the review both read it). */
    waypointOf: Record<string, string>;
}

/** The validated, defaulted arguments: what each data plane requires and allows is in its type. */
export type NormalizedArgs = SidecarArgs | AmbientArgs;
