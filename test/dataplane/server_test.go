package dataplane

import (
	"maps"
	"testing"
	"time"

	meshconfig "istio.io/api/mesh/v1alpha1"
	networking "istio.io/api/networking/v1alpha3"
	"istio.io/istio/pilot/pkg/features"
	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/test/xds"
	"istio.io/istio/pkg/config"
	"istio.io/istio/pkg/config/mesh"
	"istio.io/istio/pkg/config/schema/gvk"
	"istio.io/istio/pkg/test"
)

const (
	// clientNamespace is where the client workload (the seed's `sleep`) runs.
	clientNamespace = "default"
	clientIP        = "10.1.0.10"
	// gatewayPodIP is the address of the one gateway pod the test registers.
	gatewayPodIP = "10.7.0.10"
)

// upstreamOnly turns off the two Istio-only filters istiod adds by default (dataplane.md §1), as a lab running
// upstream Envoy must; routing does not depend on them.
func upstreamOnly(t test.Failer) {
	test.SetForTest(t, &features.MetadataExchange, false)
	test.SetForTest(t, &features.ALPNFilter, false)
}

// meshConfigFor is Istio's default mesh config with the plan's one edit applied, as MeshConfigOutboundMode does
// (it changes outboundTrafficPolicy.mode and nothing else).
func meshConfigFor(t test.Failer, p *exportedPlan) *meshconfig.MeshConfig {
	m := mesh.DefaultMeshConfig()
	if edit := p.Summary.MeshConfigEdit; edit != nil {
		mode, ok := meshconfig.MeshConfig_OutboundTrafficPolicy_Mode_value[edit.Mode]
		if !ok {
			t.Fatalf("mesh config edit has unknown mode %q", edit.Mode)
		}
		m.OutboundTrafficPolicy = &meshconfig.MeshConfig_OutboundTrafficPolicy{
			Mode: meshconfig.MeshConfig_OutboundTrafficPolicy_Mode(mode),
		}
	}
	return m
}

// gatewayPodLabels are the labels a gateway pod gets: the Deployment's pod template labels (Istio's `gateway`
// injection template adds only canonical-name/revision labels, no `security.istio.io/tlsMode`).
func gatewayPodLabels(t test.Failer, p *exportedPlan) map[string]string {
	if p.Deployment == nil {
		t.Fatalf("the plan has no gateway Deployment (keys: %v)", p.Keys)
	}
	labels := maps.Clone(p.Deployment.Spec.Template.Labels)
	labels["service.istio.io/canonical-name"] = p.Deployment.Spec.Template.Labels["app"]
	labels["service.istio.io/canonical-revision"] = "latest"
	return labels
}

// gatewayPod registers one running gateway pod as a WorkloadEntry with the pod template's labels and
// ServiceAccount; the plan's Service selects it (PILOT_ENABLE_K8S_SELECT_WORKLOAD_ENTRIES), as it would select the
// Deployment's pods. No EndpointSlice is needed.
func gatewayPod(t test.Failer, p *exportedPlan) config.Config {
	return config.Config{
		Meta: config.Meta{
			GroupVersionKind:  gvk.WorkloadEntry,
			Name:              p.Deployment.Name + "-pod-0",
			Namespace:         p.Deployment.Namespace,
			CreationTimestamp: time.Now(),
		},
		Spec: &networking.WorkloadEntry{
			Address:        gatewayPodIP,
			Labels:         gatewayPodLabels(t, p),
			ServiceAccount: p.Deployment.Spec.Template.Spec.ServiceAccountName,
		},
	}
}

// newServer starts Istio's in-process discovery server with every planned object: the Istio objects in the config
// store (validated by Istio's schema on the way in), the Kubernetes objects in the fake API server, and the mesh
// config the plan asks for.
func newServer(t *testing.T, p *exportedPlan) *xds.FakeDiscoveryServer {
	t.Helper()
	upstreamOnly(t)
	return xds.NewFakeDiscoveryServer(t, xds.FakeOptions{
		ConfigString:      p.IstioYAML,
		Configs:           []config.Config{gatewayPod(t, p)},
		KubernetesObjects: p.Kube,
		MeshConfig:        meshConfigFor(t, p),
	})
}

// clientSidecar is a sidecar in the client namespace, as the seed's `sleep` pod.
func clientSidecar() *model.Proxy {
	labels := map[string]string{"app": "sleep"}
	return &model.Proxy{
		Type:            model.SidecarProxy,
		ID:              "sleep-0." + clientNamespace,
		ConfigNamespace: clientNamespace,
		IPAddresses:     []string{clientIP},
		Labels:          labels,
		Metadata:        &model.NodeMetadata{Namespace: clientNamespace, Labels: labels, ServiceAccount: "sleep"},
	}
}

// gatewayProxy is the egress gateway pod's proxy: a router with the pod's labels, in the gateway namespace.
func gatewayProxy(t test.Failer, p *exportedPlan) *model.Proxy {
	labels := gatewayPodLabels(t, p)
	return &model.Proxy{
		Type:            model.Router,
		ID:              p.Deployment.Name + "-pod-0." + p.Deployment.Namespace,
		ConfigNamespace: p.Deployment.Namespace,
		IPAddresses:     []string{gatewayPodIP},
		Labels:          labels,
		Metadata: &model.NodeMetadata{
			Namespace:      p.Deployment.Namespace,
			Labels:         labels,
			ServiceAccount: p.Deployment.Spec.Template.Spec.ServiceAccountName,
		},
	}
}
