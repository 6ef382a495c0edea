// The egress gateway: the workload MeshEgress deploys, or one that already runs, and the hop to it.
import * as pulumi from "@pulumi/pulumi";

/** How the client sidecars talk to the egress gateway. */
export const GatewayHopTls = {
    /**
     * Istio mutual TLS with the workload's mesh identity (`ISTIO_MUTUAL` on the Gateway servers and the gateway
     * DestinationRule, with `sni`): encrypted, and the gateway knows who is calling.
     */
    IstioMutual: "ISTIO_MUTUAL",
    /** Whatever the app sends, unwrapped. Only for meshes that cannot do mutual TLS to the gateway. */
    Disable: "DISABLE",
} as const;
export type GatewayHopTls = (typeof GatewayHopTls)[keyof typeof GatewayHopTls];

/** CPU and memory for the gateway's proxy container, as Kubernetes quantities. */
export interface ResourceQuantities {
    /**
     * CPU quantity.
     * @example "100m"
     */
    cpu?: pulumi.Input<string>;
    /**
     * Memory quantity.
     * @example "128Mi"
     */
    memory?: pulumi.Input<string>;
}

/** Resource requests and limits of the gateway's proxy container. */
export interface GatewayResources {
    /**
     * What the scheduler reserves per replica.
     * @default { cpu: "100m", memory: "128Mi" }
     */
    requests?: pulumi.Input<ResourceQuantities>;
    /**
     * The most a replica may use.
     * @default { cpu: "2", memory: "1Gi" }
     */
    limits?: pulumi.Input<ResourceQuantities>;
}

/** A Kubernetes toleration for the gateway pods (dedicated egress nodes are usually tainted). */
export interface Toleration {
    /**
     * The taint key to tolerate; empty with operator `Exists` tolerates every taint.
     * @example "dedicated"
     */
    key?: pulumi.Input<string>;
    /**
     * `Equal` or `Exists`.
     * @default "Equal"
     */
    operator?: pulumi.Input<string>;
    /**
     * The taint value to match when the operator is `Equal`.
     * @example "egress"
     */
    value?: pulumi.Input<string>;
    /**
     * `NoSchedule`, `PreferNoSchedule` or `NoExecute`; empty matches all effects.
     * @example "NoSchedule"
     */
    effect?: pulumi.Input<string>;
}

/** A HorizontalPodAutoscaler for the gateway Deployment, scaling on CPU. */
export interface GatewayAutoscaling {
    /**
     * Fewest replicas.
     * @default 2
     */
    minReplicas?: number;
    /**
     * Most replicas.
     * @default 5
     */
    maxReplicas?: number;
    /**
     * Average CPU utilisation, in percent of the request, that the autoscaler aims for.
     * @default 80
     */
    targetCpuUtilizationPercentage?: number;
}

/** A PodDisruptionBudget that keeps the gateway serving while nodes are drained. */
export interface GatewayDisruptionBudget {
    /**
     * Whether to create the PodDisruptionBudget.
     * @default true
     */
    enabled?: boolean;
    /**
     * How many gateway pods a voluntary disruption may take down at once.
     * @default 1
     */
    maxUnavailable?: number;
}

/** The egress gateway workload that MeshEgress deploys (the istio/gateway Helm chart's objects). */
export interface EgressGateway {
    /**
     * Name of the gateway's ServiceAccount, Deployment, Service and PodDisruptionBudget.
     * @default "<component name>-gateway"
     * @example "istio-egressgateway"
     */
    name?: string;
    /**
     * Namespace of the gateway workload and of every Istio object MeshEgress creates. It must exist and must not
     * disable sidecar injection (the gateway is injected with Istio's `gateway` template).
     * @default "istio-system"
     */
    namespace?: string;
    /**
     * Labels that identify the gateway pods: the Service selector and every Istio Gateway's `selector`.
     * @default { istio: "egressgateway", app: "<gateway name>" }
     */
    labels?: { [key: string]: string };
    /**
     * Annotations added to the metadata of the gateway's ServiceAccount, Deployment, Service, PodDisruptionBudget
     * and HorizontalPodAutoscaler (not to its pods), e.g. `pulumi.com/skipAwait: "true"` where pods cannot run.
     * @default {}
     */
    annotations?: { [key: string]: string };
    /**
     * Number of gateway pods. Ignored when `autoscaling` is set.
     * @default 2
     */
    replicas?: pulumi.Input<number>;
    /**
     * Requests and limits of the proxy container.
     * @default { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "2", memory: "1Gi" } }
     */
    resources?: pulumi.Input<GatewayResources>;
    /**
     * Node labels the gateway pods must run on, e.g. dedicated egress nodes with stable source IPs.
     * @default {}
     * @example { "node-role.example.com/egress": "true" }
     */
    nodeSelector?: pulumi.Input<{ [key: string]: pulumi.Input<string> }>;
    /**
     * Taints the gateway pods tolerate.
     * @default []
     */
    tolerations?: pulumi.Input<pulumi.Input<Toleration>[]>;
    /**
     * Whether to spread the gateway pods across nodes (`topologySpreadConstraints` on `kubernetes.io/hostname`,
     * best effort), so one node failure does not take egress down.
     * @default true
     */
    spreadAcrossNodes?: boolean;
    /**
     * The PodDisruptionBudget.
     * @default { enabled: true, maxUnavailable: 1 }
     */
    podDisruptionBudget?: GatewayDisruptionBudget;
    /**
     * When set, a HorizontalPodAutoscaler owns the replica count.
     * @default no autoscaler
     */
    autoscaling?: GatewayAutoscaling;
}

/** An egress gateway that already runs (e.g. one a managed mesh created); MeshEgress creates no workload for it. */
export interface ExistingGateway {
    /**
     * Labels of the existing gateway pods, used as every Istio Gateway's `selector`.
     * @example { istio: "egressgateway" }
     */
    selector: { [key: string]: string };
    /**
     * Name of the existing gateway's Kubernetes Service.
     * @example "istio-egressgateway"
     */
    serviceName: string;
    /**
     * Namespace of the existing gateway's Service; MeshEgress's Istio objects go there too.
     * @default "istio-system"
     */
    namespace?: string;
}
