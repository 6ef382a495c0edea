package dataplane

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8slabels "k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	meshconfig "istio.io/api/mesh/v1alpha1"
	"istio.io/istio/pilot/pkg/features"
	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/test/xds"
	"istio.io/istio/pkg/config/constants"
	"istio.io/istio/pkg/config/mesh"
	"istio.io/istio/pkg/config/schema/gvk"
	"istio.io/istio/pkg/config/schema/gvr"
	kubelib "istio.io/istio/pkg/kube"
	"istio.io/istio/pkg/kube/kclient/clienttest"
	"istio.io/istio/pkg/test"
)

const (
	// clientNamespace is where the client workload (the seed's `sleep`) runs.
	clientNamespace = "default"
	clientIP        = "10.1.0.10"
	// gatewayPodIP is the address of the one gateway pod the test adds.
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
// injection template adds only canonical-name/revision labels, no `security.istio.io/tlsMode`); for an existing
// gateway, its selector.
func gatewayPodLabels(t test.Failer, p *exportedPlan) map[string]string {
	if p.Deployment == nil {
		labels := maps.Clone(p.Summary.Gateway.Selector)
		labels["service.istio.io/canonical-name"] = p.Summary.Gateway.ServiceName
		labels["service.istio.io/canonical-revision"] = "latest"
		return labels
	}
	template := p.Deployment.Spec.Template
	if got := template.Annotations["inject.istio.io/templates"]; got != "gateway" {
		// The labels below are the gateway template's; another template (the sidecar one) would add tlsMode.
		t.Fatalf("the gateway pods use injection template %q, want \"gateway\"", got)
	}
	labels := maps.Clone(template.Labels)
	labels["service.istio.io/canonical-name"] = template.Labels["app"]
	labels["service.istio.io/canonical-revision"] = "latest"
	return labels
}

// gatewayServiceAccount is the gateway pods' ServiceAccount: the Deployment's, or an existing gateway's stand-in.
func gatewayServiceAccount(p *exportedPlan) string {
	if p.Deployment == nil {
		return "existing-egress-gateway"
	}
	return p.Deployment.Spec.Template.Spec.ServiceAccountName
}

// existingGatewayService stands in for an existing gateway's Service: its name, the gateway selector, and every
// gateway port, sent to the pod port the plan says (existingGateway.targetPorts; the cluster check holds the live
// Service to both).
func existingGatewayService(p *exportedPlan) *corev1.Service {
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: p.Summary.Gateway.ServiceName, Namespace: p.Summary.GatewayNamespace},
		Spec:       corev1.ServiceSpec{Selector: p.Summary.Gateway.Selector, ClusterIP: "10.96.200.1"},
	}
	for _, port := range p.Summary.GatewayPorts {
		svc.Spec.Ports = append(svc.Spec.Ports, corev1.ServicePort{
			Name: port.Name, Port: int32(port.Number), TargetPort: intstr.FromInt32(int32(port.TargetPort)),
			Protocol: corev1.ProtocolTCP,
		})
	}
	return svc
}

// gatewayPodObjects are what the cluster would hold once the plan's Deployment runs one pod: the Pod (the pod
// template's labels plus what the gateway injection template adds, its ServiceAccount, Running and Ready at
// gatewayPodIP) and, for every planned Service that selects it, the EndpointSlice the endpoint-slice controller
// derives.
func gatewayPodObjects(t test.Failer, p *exportedPlan) []runtime.Object {
	if p.Service == nil {
		t.Fatalf("the plan has no gateway Service (keys: %v)", p.Keys)
	}
	spec := corev1.PodSpec{
		ServiceAccountName: gatewayServiceAccount(p),
		Containers:         []corev1.Container{{Name: "istio-proxy", Image: "auto"}},
	}
	var annotations map[string]string
	if p.Deployment != nil {
		spec = *p.Deployment.Spec.Template.Spec.DeepCopy()
		annotations = p.Deployment.Spec.Template.Annotations
	}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name:        gatewayPodName(p),
			Namespace:   p.Summary.GatewayNamespace,
			Labels:      gatewayPodLabels(t, p),
			Annotations: annotations,
		},
		Spec: spec,
		Status: corev1.PodStatus{
			Phase:      corev1.PodRunning,
			PodIP:      gatewayPodIP,
			PodIPs:     []corev1.PodIP{{IP: gatewayPodIP}},
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}},
		},
	}
	objects := []runtime.Object{pod}
	for _, svc := range p.Services {
		// The endpoint-slice controller lists the pod only for Services whose selector matches it.
		if svc.Namespace != pod.Namespace || len(svc.Spec.Selector) == 0 ||
			!k8slabels.SelectorFromSet(svc.Spec.Selector).Matches(k8slabels.Set(pod.Labels)) {
			continue
		}
		slice := &discoveryv1.EndpointSlice{
			ObjectMeta: metav1.ObjectMeta{
				Name:      svc.Name + "-x7k2p",
				Namespace: svc.Namespace,
				Labels:    map[string]string{discoveryv1.LabelServiceName: svc.Name},
			},
			AddressType: discoveryv1.AddressTypeIPv4,
			Endpoints: []discoveryv1.Endpoint{{
				Addresses:  []string{gatewayPodIP},
				Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(true)},
				TargetRef:  &corev1.ObjectReference{Kind: "Pod", Name: pod.Name, Namespace: pod.Namespace},
			}},
		}
		for _, port := range svc.Spec.Ports {
			slice.Ports = append(slice.Ports, discoveryv1.EndpointPort{
				Name:     ptr.To(port.Name),
				Port:     ptr.To(int32(port.TargetPort.IntValue())),
				Protocol: ptr.To(port.Protocol),
			})
		}
		objects = append(objects, slice)
	}
	return objects
}

func gatewayPodName(p *exportedPlan) string {
	return p.Summary.Gateway.ServiceName + "-6d5f8b7c9-x7k2p"
}

// serverOptions vary what the discovery server gets, for the controls.
type serverOptions struct {
	// withoutPolicy leaves out the plan's outbound traffic policy (the mesh config edit and the root Sidecar).
	withoutPolicy bool
	// istioFilters keeps istiod's default Istio-only filters (metadata exchange, ALPN).
	istioFilters bool
	// defaultVirtualServiceExportTo sets the mesh config's default visibility of VirtualServices.
	defaultVirtualServiceExportTo []string
	// serviceEntryVisibility sets the mesh config's visibility of ServiceEntries (Istio 1.31).
	serviceEntryVisibility *meshconfig.ServiceEntryVisibility
	// extraConfig and extraKube are objects written beside the plan (by hand, by another team).
	extraConfig string
	extraKube   []runtime.Object
}

// newServer starts Istio's in-process discovery server with every planned object: the Istio objects in the config
// store (Istio's schema validation runs on the way in), the Kubernetes objects in the fake API server, the mesh
// config the plan asks for, and one gateway pod.
func newServer(t *testing.T, p *exportedPlan, opts serverOptions) *xds.FakeDiscoveryServer {
	t.Helper()
	if !opts.istioFilters {
		upstreamOnly(t)
	}
	m := meshConfigFor(t, p)
	m.DefaultVirtualServiceExportTo = opts.defaultVirtualServiceExportTo
	m.ServiceEntryVisibility = opts.serviceEntryVisibility
	var without []string
	if opts.withoutPolicy {
		m = mesh.DefaultMeshConfig()
		without = append(without, "Sidecar")
	}
	var kube []runtime.Object
	config := p.istioYAML(without...)
	if p.Summary.Dataplane == "AMBIENT" {
		test.SetForTest(t, &features.EnableAmbient, true)
		kube = waypointClusterObjects(t, p)
		config = withAllocatedAddresses(p, without...)
	} else {
		kube = append(slices.Clone(p.Kube), gatewayPodObjects(t, p)...)
	}
	kube = append(kube, opts.extraKube...)
	if opts.extraConfig != "" {
		config += "\n---\n" + opts.extraConfig
	}
	var modifier func(kubelib.Client)
	if p.GatewayAPI {
		// What a cluster with Istio and the Gateway API CRDs has: the class istiod creates, and the ListenerSet CRD
		// (the fake client starts with the other Gateway API CRDs only).
		kube = append(kube, istioGatewayClass())
		modifier = func(c kubelib.Client) { clienttest.MakeCRD(t, c, gvr.ListenerSet) }
	}
	s := xds.NewFakeDiscoveryServer(t, xds.FakeOptions{
		ConfigString:       config,
		KubernetesObjects:  kube,
		KubeClientModifier: modifier,
		MeshConfig:         m,
	})
	if p.GatewayAPI {
		installRouteCRDs(t, s, p)
	}
	return s
}

// gatewayAPIBundle is the Gateway API release whose CRDs the local control plane installs (tools/build.sh).
const gatewayAPIBundle = "v1.6.0"

// installRouteCRDs marks the TLSRoute and TCPRoute CRDs as Gateway API's release, as installed CRDs are: istiod
// ignores those kinds below a minimum release (TLSRoute v1.5, TCPRoute v1.6), and the fake client creates its CRDs
// without the annotation. It then waits until istiod has translated every route of the plan.
func installRouteCRDs(t *testing.T, s *xds.FakeDiscoveryServer, p *exportedPlan) {
	t.Helper()
	for _, crd := range []schema.GroupVersionResource{gvr.TLSRoute, gvr.TCPRoute} {
		clienttest.MakeCRDWithAnnotations(t, s.KubeClient(), crd, map[string]string{
			"gateway.networking.k8s.io/bundle-version": gatewayAPIBundle,
		})
	}
	var routes []string
	for _, key := range p.Keys {
		if kind := strings.SplitN(key, "/", 2)[0]; strings.HasSuffix(kind, "Route") {
			parts := strings.Split(key, "/")
			routes = append(routes, fmt.Sprintf("%s/%s", kind, parts[2]))
		}
	}
	translated := func() []string {
		seen := map[string]bool{}
		for _, vs := range s.Discovery.Env.GatewayAPIController.List(gvk.VirtualService, metav1.NamespaceAll) {
			for _, parent := range strings.Split(vs.Annotations[constants.InternalParentNames], ",") {
				// "<Kind>/<name>.<namespace>" or "<Kind>/<name>/<section>.<namespace>"; planned names have no dots.
				kindAndName := strings.SplitN(strings.SplitN(parent, ".", 2)[0], "/", 3)
				if len(kindAndName) >= 2 {
					seen[kindAndName[0]+"/"+kindAndName[1]] = true
				}
			}
		}
		var missing []string
		for _, r := range routes {
			if !seen[r] {
				missing = append(missing, r)
			}
		}
		return missing
	}
	deadline := time.Now().Add(20 * time.Second)
	for missing := translated(); len(missing) > 0; missing = translated() {
		if time.Now().After(deadline) {
			t.Fatalf("istiod did not translate these routes of the plan: %v", missing)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// A translated route can be listed before its config event reaches the discovery server, so EnsureSynced alone
	// may return with a push context that lacks it (a generated plan's wildcard mesh route did, under load): a
	// forced push now rebuilds the push context from everything listed above.
	s.Discovery.ConfigUpdate(&model.PushRequest{Forced: true})
	s.EnsureSynced(t)
}

// istioGatewayClass is the GatewayClass `istio` that istiod creates at start-up.
func istioGatewayClass() *gatewayv1.GatewayClass {
	return &gatewayv1.GatewayClass{
		ObjectMeta: metav1.ObjectMeta{Name: "istio"},
		Spec:       gatewayv1.GatewayClassSpec{ControllerName: gatewayv1.GatewayController("istio.io/gateway-controller")},
	}
}

// clientSidecar is a sidecar in the client namespace, as the seed's `sleep` pod.
func clientSidecar() *model.Proxy {
	return clientSidecarIn(clientNamespace)
}

// clientSidecarIn is a `sleep` pod's sidecar in the given namespace.
func clientSidecarIn(namespace string) *model.Proxy {
	labels := map[string]string{"app": "sleep"}
	return &model.Proxy{
		Type:            model.SidecarProxy,
		ID:              "sleep-0." + namespace,
		ConfigNamespace: namespace,
		IPAddresses:     []string{clientIP},
		Labels:          labels,
		Metadata:        &model.NodeMetadata{Namespace: namespace, Labels: labels, ServiceAccount: "sleep"},
	}
}

// gatewayProxy is the egress gateway pod's proxy: a router with the pod's labels, in the gateway namespace.
func gatewayProxy(t test.Failer, p *exportedPlan) *model.Proxy {
	labels := gatewayPodLabels(t, p)
	return &model.Proxy{
		Type:            model.Router,
		ID:              gatewayPodName(p) + "." + p.Summary.GatewayNamespace,
		ConfigNamespace: p.Summary.GatewayNamespace,
		IPAddresses:     []string{gatewayPodIP},
		Labels:          labels,
		Metadata: &model.NodeMetadata{
			Namespace:      p.Summary.GatewayNamespace,
			Labels:         labels,
			ServiceAccount: gatewayServiceAccount(p),
		},
	}
}
