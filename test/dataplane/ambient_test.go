package dataplane

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	bootstrap "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	internallistener "github.com/envoyproxy/go-control-plane/envoy/extensions/bootstrap/internal_listener/v3"
	hcm "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	internalupstream "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/internal_upstream/v3"
	tls "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	networkingv1alpha3 "istio.io/api/networking/v1alpha3"
	networkingclient "istio.io/client-go/pkg/apis/networking/v1"
	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/test/xds"
)

// The ambient data plane: the egress waypoint's own configuration, as istiod generates it for the plan.

// waypointClusterObjects are the plan's Kubernetes objects plus what a cluster adds once Istio runs the waypoint:
// the waypoint Gateway's status address (istiod writes it when a pod is ready), the GatewayClass istio-waypoint,
// and the Service and Pod istiod's deployment controller creates for it.
func waypointClusterObjects(t *testing.T, p *exportedPlan) []runtime.Object {
	name := p.Summary.Gateway.ServiceName
	var objects []runtime.Object
	found := false
	allocated := allocatedAddresses(p)
	for _, obj := range p.Kube {
		if se, ok := obj.(*networkingclient.ServiceEntry); ok && allocated[se.Spec.Hosts[0]] != "" {
			// What istiod's address allocator writes into the status of a ServiceEntry without addresses.
			se = se.DeepCopy()
			se.Status.Addresses = []*networkingv1alpha3.ServiceEntryAddress{{Value: allocated[se.Spec.Hosts[0]], Host: se.Spec.Hosts[0]}}
			obj = se
		}
		if gw, ok := obj.(*gatewayv1.Gateway); ok && gw.Spec.GatewayClassName == "istio-waypoint" {
			gw = gw.DeepCopy()
			hostname := gatewayv1.HostnameAddressType
			gw.Status.Addresses = []gatewayv1.GatewayStatusAddress{{Type: &hostname,
				Value: fmt.Sprintf("%s.%s.svc.cluster.local", gw.Name, gw.Namespace)}}
			obj, found = gw, true
		}
		objects = append(objects, obj)
	}
	if !found {
		t.Fatalf("the plan has no waypoint Gateway (keys: %v)", p.Keys)
	}
	objects = append(objects, &gatewayv1.GatewayClass{
		ObjectMeta: metav1.ObjectMeta{Name: "istio-waypoint"},
		Spec:       gatewayv1.GatewayClassSpec{ControllerName: "istio.io/mesh-controller"},
	})
	selector := map[string]string{"gateway.networking.k8s.io/gateway-name": name}
	for i, namespace := range waypointNamespaces(p) {
		objects = append(objects,
			&corev1.Service{
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: selector},
				Spec: corev1.ServiceSpec{
					ClusterIP: fmt.Sprintf("10.96.200.%d", 2+i),
					Selector:  selector,
					Ports:     []corev1.ServicePort{{Name: "mesh", Port: 15008, AppProtocol: ptrTo("hbone")}},
				},
			},
			&corev1.Pod{
				ObjectMeta: metav1.ObjectMeta{Name: name + "-6d5f8b7c9-w4t7p", Namespace: namespace, Labels: waypointLabels(p)},
				Spec:       corev1.PodSpec{ServiceAccountName: name, Containers: []corev1.Container{{Name: "istio-proxy"}}},
				Status: corev1.PodStatus{
					Phase:      corev1.PodRunning,
					PodIP:      waypointPodIP(i),
					PodIPs:     []corev1.PodIP{{IP: waypointPodIP(i)}},
					Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}},
				},
			},
		)
	}
	return objects
}

// waypointNamespaces are the namespaces of the plan's waypoints, the gateway's first.
func waypointNamespaces(p *exportedPlan) []string {
	if len(p.Summary.WaypointNamespaces) > 0 {
		return p.Summary.WaypointNamespaces
	}
	return []string{p.Summary.GatewayNamespace}
}

// waypointPodIP is the address of the pod of the i-th waypoint namespace's waypoint.
func waypointPodIP(i int) string { return fmt.Sprintf("10.7.0.%d", 20+i) }

func protojsonString(m proto.Message) string {
	b, _ := protojson.Marshal(m)
	return string(b)
}

// allocatedAddresses stands in for istiod's address allocation: one address of its range (240.240.0.0/16) per host
// whose ServiceEntry has no addresses, in plan order.
func allocatedAddresses(p *exportedPlan) map[string]string {
	addresses := map[string]string{}
	for _, se := range p.ServiceEntries {
		if len(se.Addresses) == 0 {
			n := len(addresses) + 1
			addresses[se.Hosts[0]] = fmt.Sprintf("240.240.%d.%d", n/256, n%256)
		}
	}
	return addresses
}

// withAllocatedAddresses is the plan's Istio objects with the allocator's status on ServiceEntries, as istiod's
// config store holds them.
func withAllocatedAddresses(p *exportedPlan, without ...string) string {
	allocated := allocatedAddresses(p)
	var docs []string
	for i, d := range p.Istio {
		if slices.Contains(without, d.Kind) {
			continue
		}
		doc := d.YAML
		if d.Kind == "ServiceEntry" {
			if host := serviceEntryHost(p, i); allocated[host] != "" {
				doc = strings.TrimRight(doc, "\n") + fmt.Sprintf("\nstatus:\n  addresses:\n  - value: %s\n    host: %q\n", allocated[host], host)
			}
		}
		docs = append(docs, doc)
	}
	return strings.Join(docs, "\n---\n")
}

// serviceEntryHost is the first host of the i-th Istio document, a ServiceEntry.
func serviceEntryHost(p *exportedPlan, i int) string {
	n := 0
	for j := 0; j < i; j++ {
		if p.Istio[j].Kind == "ServiceEntry" {
			n++
		}
	}
	return p.ServiceEntries[n].Hosts[0]
}

// chainsByDestination reads the waypoint's main_internal listener's matcher: "<address>:<port>" → filter chain.
func chainsByDestination(t *testing.T, v *proxyView) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, l := range v.sim.Listeners {
		if l.Name != "main_internal" {
			continue
		}
		js := protojsonString(l.GetFilterChainMatcher())
		var tree struct {
			MatcherTree struct {
				CustomMatch struct {
					TypedConfig struct {
						RangeMatchers []struct {
							Ranges []struct {
								AddressPrefix string `json:"addressPrefix"`
							} `json:"ranges"`
							OnMatch struct {
								Matcher struct {
									MatcherTree struct {
										ExactMatchMap struct {
											Map map[string]struct {
												Action struct {
													Name string `json:"name"`
												} `json:"action"`
											} `json:"map"`
										} `json:"exactMatchMap"`
									} `json:"matcherTree"`
								} `json:"matcher"`
							} `json:"onMatch"`
						} `json:"rangeMatchers"`
					} `json:"typedConfig"`
				} `json:"customMatch"`
			} `json:"matcherTree"`
		}
		if err := json.Unmarshal([]byte(js), &tree); err != nil {
			t.Fatalf("reading the waypoint's filter chain matcher: %v", err)
		}
		for _, rm := range tree.MatcherTree.CustomMatch.TypedConfig.RangeMatchers {
			for _, r := range rm.Ranges {
				for port, m := range rm.OnMatch.Matcher.MatcherTree.ExactMatchMap.Map {
					key := r.AddressPrefix + ":" + port
					if out[key] != "" && out[key] != m.Action.Name {
						t.Errorf("the waypoint has two chains for %s: %s and %s", key, out[key], m.Action.Name)
					}
					out[key] = m.Action.Name
				}
			}
		}
	}
	return out
}

func ptrTo[T any](v T) *T { return &v }

func waypointLabels(p *exportedPlan) map[string]string {
	return map[string]string{
		"gateway.networking.k8s.io/gateway-name": p.Summary.Gateway.ServiceName,
		"gateway.istio.io/managed":               "istio.io-mesh-controller",
	}
}

// waypointProxy is the egress waypoint's proxy in the plan's i-th waypoint namespace.
func waypointProxy(p *exportedPlan, i int) *model.Proxy {
	namespace := waypointNamespaces(p)[i]
	return &model.Proxy{
		Type:            model.Waypoint,
		ID:              p.Summary.Gateway.ServiceName + "-6d5f8b7c9-w4t7p." + namespace,
		ConfigNamespace: namespace,
		IPAddresses:     []string{waypointPodIP(i)},
		Labels:          waypointLabels(p),
		Metadata: &model.NodeMetadata{
			Namespace:      namespace,
			Labels:         waypointLabels(p),
			ServiceAccount: p.Summary.Gateway.ServiceName,
		},
	}
}

// checkWaypoints runs checkWaypoint on every waypoint of the plan.
func checkWaypoints(t *testing.T, p *exportedPlan, s *xds.FakeDiscoveryServer) {
	for i, namespace := range waypointNamespaces(p) {
		t.Run("waypoint in "+namespace, func(t *testing.T) {
			checkWaypoint(t, p, newProxyView(t, s, "egress waypoint", waypointProxy(p, i)), namespace)
		})
	}
}

// innerTLS is the TLS a waypoint cluster originates: the transport socket inside its internal-upstream wrapper.
func innerTLS(t *testing.T, c *cluster.Cluster) *tls.UpstreamTlsContext {
	t.Helper()
	wrapper := &internalupstream.InternalUpstreamTransport{}
	if err := c.GetTransportSocket().GetTypedConfig().UnmarshalTo(wrapper); err != nil {
		t.Fatalf("cluster %s: transport socket is not an internal upstream: %v", c.Name, err)
	}
	inner := wrapper.GetTransportSocket()
	if inner.GetName() != "envoy.transport_sockets.tls" {
		return nil
	}
	ctx := &tls.UpstreamTlsContext{}
	if err := inner.GetTypedConfig().UnmarshalTo(ctx); err != nil {
		t.Fatalf("cluster %s: %v", c.Name, err)
	}
	return ctx
}

// waypointCluster is the waypoint's cluster for a host's service port.
func waypointCluster(h hostIntent) string {
	protocol := "tcp"
	if h.AppProtocol == "HTTP" {
		protocol = "http"
	}
	return fmt.Sprintf("inbound-vip|%d|%s|%s", h.Port, protocol, h.Host)
}

func TestAmbientWaypoint(t *testing.T) {
	p := loadPlan(t, "ambient-every-mode")
	s := newServer(t, p, serverOptions{})
	v := newProxyView(t, s, "egress waypoint", waypointProxy(p, 0))

	checkWaypoint(t, p, v, p.Summary.GatewayNamespace)
	t.Run("each host's filter chain carries its own authorization policy and no other host's", func(t *testing.T) {
		chains := map[string]string{}
		for _, l := range v.sim.Listeners {
			for _, fc := range l.FilterChains {
				chains[fc.Name] = protojsonString(fc)
			}
		}
		for name := range p.Summary.HostObjects {
			for other, otherObjects := range p.Summary.HostObjects {
				policy := fmt.Sprintf("ns[%s]-policy[%s]-rule[0]", otherObjects.Namespace, otherObjects.ServiceEntry)
				want := other == name && slices.Contains(p.Keys,
					fmt.Sprintf("AuthorizationPolicy/%s/%s", otherObjects.Namespace, otherObjects.ServiceEntry))
				chain := chains[waypointClusterOf(p, name)]
				if strings.Contains(chain, policy) != want {
					t.Errorf("%s's chain has %s's policy: %v, want %v", name, other, !want, want)
				}
			}
		}
		if !strings.Contains(chains[waypointClusterOf(p, "example.org")], `spiffe://.*/ns/default/sa/sleep`) {
			t.Errorf("example.org's chain does not admit its source default/sleep")
		}
		if !strings.Contains(chains[waypointClusterOf(p, "aliyun.com")], `"aliyun.com:80"`) {
			t.Errorf("aliyun.com's chain does not limit requests to the host")
		}
	})
	t.Run("the waypoint's config needs nothing beyond upstream Envoy but Istio's peer-metadata filter", func(t *testing.T) {
		if got := foreignTypes(v.allConfig()...); !slices.Equal(got, []string{peerMetadataType}) {
			t.Errorf("extensions upstream Envoy does not have: %v, want only %s", got, peerMetadataType)
		}
	})
	t.Run("upstream Envoy accepts the waypoint's config without that filter (envoy --mode validate)", func(t *testing.T) {
		envoy := requireEnvoy(t)
		b := withoutPeerMetadata(t, staticBootstrap(t, v))
		// As Istio's bootstrap for waypoints: internal listeners need the bootstrap extension.
		b.BootstrapExtensions = append(b.BootstrapExtensions, &core.TypedExtensionConfig{
			Name:        "envoy.bootstrap.internal_listener",
			TypedConfig: mustAny(t, &internallistener.InternalListener{}),
		})
		out, ok := envoyValidateBootstrap(t, envoy, v.name, b)
		if !ok {
			t.Errorf("envoy --mode validate rejected the waypoint's config:\n%s", out)
		}
	})
}

// waypointClusterOf is the waypoint's cluster (and filter chain) name for a planned host.
func waypointClusterOf(p *exportedPlan, host string) string {
	for _, h := range p.Summary.Hosts {
		if h.Host == host {
			return waypointCluster(h)
		}
	}
	return ""
}

// checkWaypoint: the waypoint in `namespace` has a cluster for exactly the ports of the declared hosts whose objects
// are there (and so are bound to it), each connecting to the host's endpoints, originating TLS (with the host's SNI)
// exactly for the origination modes.
func checkWaypoint(t *testing.T, p *exportedPlan, v *proxyView, namespace string) {
	var hosts []hostIntent
	for _, h := range p.Summary.Hosts {
		if p.Summary.HostObjects[h.Host].Namespace == namespace {
			hosts = append(hosts, h)
		}
	}
	t.Run("the waypoint has a cluster for exactly its hosts' ports", func(t *testing.T) {
		var want, got []string
		for _, h := range hosts {
			want = append(want, waypointCluster(h))
		}
		for _, name := range v.clusterNames() {
			if strings.HasPrefix(name, "inbound-vip|") {
				got = append(got, name)
			}
		}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("waypoint clusters %v, want %v", got, want)
		}
	})
	t.Run("the waypoint dispatches each host's address and port to the host's own chain", func(t *testing.T) {
		chains := chainsByDestination(t, v)
		allocated := allocatedAddresses(p)
		for _, h := range hosts {
			address := allocated[h.Host]
			if address == "" {
				address = h.CallAddress
			}
			if got := chains[fmt.Sprintf("%s:%d", address, h.Port)]; got != waypointCluster(h) {
				t.Errorf("%s: %s:%d goes to chain %q, want %q", h.Host, address, h.Port, got, waypointCluster(h))
			}
		}
	})
	for _, h := range hosts {
		t.Run(h.Host, func(t *testing.T) {
			c := v.cluster(t, waypointCluster(h))
			if strings.HasPrefix(h.Host, "*.") {
				// DYNAMIC_DNS: the waypoint resolves each name under the wildcard (Host or SNI) itself.
				if got := c.GetClusterType().GetTypedConfig().GetTypeUrl(); got != dynamicForwardProxyType {
					t.Errorf("the waypoint's cluster for the wildcard is %q, want a dynamic forward proxy", got)
				}
				return
			}
			if got := v.clusterEndpoints(t, c); !slices.Equal(got, h.UpstreamEndpoints) {
				t.Errorf("the waypoint connects to %v, want %v", got, h.UpstreamEndpoints)
			}
			ctx := innerTLS(t, c)
			switch {
			case h.Origination == nil && ctx != nil:
				t.Errorf("the waypoint originates TLS (SNI %q) to a host it must pass through", ctx.GetSni())
			case h.Origination != nil && ctx == nil:
				t.Errorf("the waypoint does not originate TLS")
			case h.Origination != nil && ctx.GetSni() != h.Origination.SNI:
				t.Errorf("the waypoint originates TLS with SNI %q, want %q", ctx.GetSni(), h.Origination.SNI)
			case h.Origination != nil && h.Origination.ClientCertificate != "" &&
				!slices.Equal(summarizeTLS(ctx).ClientCert, []string{h.Origination.ClientCertificate}):
				t.Errorf("the waypoint presents client certificate %v, want %s", summarizeTLS(ctx).ClientCert,
					h.Origination.ClientCertificate)
			}
		})
	}
}

const dynamicForwardProxyType = "type.googleapis.com/envoy.extensions.clusters.dynamic_forward_proxy.v3.ClusterConfig"

// peerMetadataType is Istio's peer-metadata HTTP filter, which every waypoint gets and only Istio's proxy build has
// (it exchanges workload metadata for telemetry; routing, TLS and RBAC do not depend on it).
const peerMetadataType = "type.googleapis.com/io.istio.http.peer_metadata.Config"

// withoutPeerMetadata removes Istio's peer-metadata HTTP filters from every HTTP connection manager.
func withoutPeerMetadata(t *testing.T, b *bootstrap.Bootstrap) *bootstrap.Bootstrap {
	t.Helper()
	for _, l := range b.GetStaticResources().GetListeners() {
		for _, fc := range append(slicesOf(l.FilterChains), l.DefaultFilterChain) {
			for _, f := range fc.GetFilters() {
				manager := &hcm.HttpConnectionManager{}
				if f.GetTypedConfig().UnmarshalTo(manager) != nil {
					continue
				}
				manager.HttpFilters = slices.DeleteFunc(manager.HttpFilters, func(h *hcm.HttpFilter) bool {
					return slices.Contains(foreignTypes(h), peerMetadataType)
				})
				typed, err := anypb.New(manager)
				if err != nil {
					t.Fatal(err)
				}
				f.ConfigType = &listener.Filter_TypedConfig{TypedConfig: typed}
			}
		}
	}
	return b
}

func mustAny(t *testing.T, m proto.Message) *anypb.Any {
	t.Helper()
	a, err := anypb.New(m)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
