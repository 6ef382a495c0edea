// The validated, defaulted form of MeshEgressArgs that the plan consumes. Values that may be Pulumi Outputs are
// carried as opaque `unknown`s: the plan places them into specs without looking inside.
import { EgressMode, OutboundPolicyTarget, OutboundTrafficPolicyMode } from "./args";

/** The protocol Istio speaks on a port for a mode. */
export type PortProtocol = "HTTP" | "TLS";

export interface NormalizedHost {
    /** Lower-cased, without trailing dot. */
    host: string;
    mode: EgressMode;
    /** Port the app uses, the external port, and the gateway port. */
    port: number;
    protocol: PortProtocol;
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
}

export interface NormalizedGateway {
    /** Name of the gateway Service (and, when deployed, of its other objects). */
    serviceName: string;
    namespace: string;
    /** Labels of the gateway pods: Service selector and Istio Gateway selector. */
    selector: Record<string, string>;
    /** Present when MeshEgress deploys the gateway; absent for an existing gateway. */
    workload?: GatewayWorkload;
}

export interface NormalizedIstio {
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
    gateway: NormalizedGateway;
    istio: NormalizedIstio;
    policy: { mode: OutboundTrafficPolicyMode; target: OutboundPolicyTarget };
    /** Whether Istio objects go to a separate cluster (`istioCluster`). */
    separateIstioCluster: boolean;
}
