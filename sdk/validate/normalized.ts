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

export interface NormalizedHost {
    /** Lower-cased, without trailing dot. */
    host: string;
    mode: EgressMode;
    /** Port the app connects to. */
    port: number;
    appProtocol: AppProtocol;
    /** Port the gateway connects to on the external host. */
    externalPort: number;
    /** Port the gateway listens on for this host (shared with other hosts unless dedicated). */
    gatewayPort: number;
    /** True when no other host uses `gatewayPort` (TCP, and TLS inside the mutual-TLS hop). */
    dedicatedGatewayPort: boolean;
    /** Present when the gateway originates TLS to the host. */
    origination?: NormalizedOrigination;
    /** For a wildcard host: the concrete server the gateway sends every matching name to. */
    upstreamHost?: string;
    /** For TCP: CIDRs the sidecars match, and static endpoints (empty: resolve the host with DNS). */
    tcp?: { addresses: string[]; endpoints: string[] };
    /** Workloads allowed to reach the host; undefined: every workload. */
    sources?: { namespace: string; serviceAccount?: string }[];
}

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

export interface NormalizedArgs {
    /** The component name; prefixes every object name. */
    name: string;
    /** Sorted by host, so the plan never depends on list order. */
    hosts: NormalizedHost[];
    /** TLS between client sidecars and the gateway. */
    hopTls: GatewayHopTls;
    /** The traffic API the routes are written in. */
    routingApi: RoutingApi;
    /**
     * The clients' data plane. Under AMBIENT, `gateway` is the egress waypoint: `serviceName` its Gateway's name,
     * `selector` its pods' label, `workload` (absent for an existing waypoint) the settings of its parameters.
     */
    dataplane: Dataplane;
    /** Istio `exportTo` of the ServiceEntries and VirtualServices. */
    exportTo: string[];
    gateway: NormalizedGateway;
    istio: NormalizedIstio;
    policy: { mode: OutboundTrafficPolicyMode; target: OutboundPolicyTarget; namespaces: string[] };
    antiBypass?: { namespaces: string[]; allowNamespaces: string[]; dnsNamespace: string };
    accessLog: { enabled: boolean; provider: string };
    /** Whether Istio objects go to a separate cluster (`istioCluster`). */
    separateIstioCluster: boolean;
    /** Whether the cluster check runs before anything is registered. */
    clusterCheck: boolean;
}
