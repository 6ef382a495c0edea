// Every argument default that is one plain value, in one table: validation applies these, and each field's JSDoc
// (which Pulumi's schema inference carries to every language and docs/reference.md) states the same value, which
// test/unit/defaults.spec.ts checks both ways. Keys are "<schema type>.<property>". Defaults that depend on other
// arguments (a host's port by its mode, the gateway's name by the component's) are stated in words and applied where
// they are derived.
import { Dataplane, GatewayHopTls, RoutingApi } from "./gateway";
import { EgressMode } from "./hosts";
import { OutboundPolicyTarget, OutboundTrafficPolicyMode } from "./policy";

/** The proxy container's requests and limits. */
const RESOURCES = {
    requests: { cpu: "100m", memory: "128Mi" },
    limits: { cpu: "2", memory: "1Gi" },
};

export const DEFAULTS = {
    "MeshEgress.dataplane": Dataplane.Sidecar,
    "MeshEgress.gatewayHopTls": GatewayHopTls.IstioMutual,
    "MeshEgress.routingApi": RoutingApi.Istio,
    "MeshEgress.exportTo": ["*"] as string[],
    "MeshEgress.clusterCheck": true,
    "IstioControlPlane.version": "1.31",
    "IstioControlPlane.namespace": "istio-system",
    "IstioControlPlane.revision": "",
    "OutboundTrafficPolicy.mode": OutboundTrafficPolicyMode.RegistryOnly,
    "OutboundTrafficPolicy.target": OutboundPolicyTarget.MeshConfig,
    "OutboundTrafficPolicy.namespaces": [] as string[],
    "AntiBypass.dnsNamespace": "kube-system",
    "AntiBypass.allowNamespaces": [] as string[],
    "AntiBypass.controlPlaneSelector": { app: "istiod" } as Record<string, string>,
    "AccessLog.provider": "envoy",
    "EgressGateway.namespace": "istio-system",
    "EgressGateway.replicas": 2,
    "EgressGateway.spreadAcrossNodes": true,
    "EgressGateway.annotations": {} as Record<string, string>,
    "EgressGateway.resources": RESOURCES,
    "GatewayResources.requests": RESOURCES.requests,
    "GatewayResources.limits": RESOURCES.limits,
    "GatewayDisruptionBudget.enabled": true,
    "GatewayDisruptionBudget.maxUnavailable": 1,
    "GatewayAutoscaling.minReplicas": 2,
    "GatewayAutoscaling.maxReplicas": 5,
    "GatewayAutoscaling.targetCpuUtilizationPercentage": 80,
    "ExistingGateway.namespace": "istio-system",
    "ExistingGateway.targetPorts": {} as Record<string, number>,
    "ExistingWaypoint.namespace": "istio-system",
    "EgressGateway.shardNamespaces": [] as string[],
    "ExternalHost.mode": EgressMode.Http,
    "TeamGrant.ports": [80, 443] as number[],
    "ExternalHost.addresses": [] as string[],
    "ExternalHost.endpoints": [] as string[],
} as const;
