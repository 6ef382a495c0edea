package dataplane

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	endpoint "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	tls "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/structpb"

	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/pkg/simulation"
	"istio.io/istio/pilot/test/xds"
	"istio.io/istio/pilot/test/xdstest"
)

// proxyView is one proxy's generated xDS (listeners, routes, clusters, endpoints) plus Istio's traffic simulator.
type proxyView struct {
	name  string
	proxy *model.Proxy
	sim   *simulation.Simulation
	// endpoints maps every EDS cluster to its "ip:port" endpoints.
	endpoints map[string][]string
	// loadAssignments maps every EDS cluster to its load assignment.
	loadAssignments map[string]*endpoint.ClusterLoadAssignment
}

func newProxyView(t *testing.T, s *xds.FakeDiscoveryServer, name string, p *model.Proxy) *proxyView {
	t.Helper()
	p = s.SetupProxy(p)
	clas := s.Endpoints(p)
	byName := map[string]*endpoint.ClusterLoadAssignment{}
	for _, cla := range clas {
		byName[cla.ClusterName] = cla
	}
	return &proxyView{
		name:            name,
		proxy:           p,
		sim:             simulation.NewSimulation(t, s, p),
		endpoints:       xdstest.ExtractLoadAssignments(clas),
		loadAssignments: byName,
	}
}

func (v *proxyView) cluster(t *testing.T, name string) *cluster.Cluster {
	t.Helper()
	c := xdstest.ExtractCluster(name, v.sim.Clusters)
	if c == nil {
		t.Fatalf("%s has no cluster %q; it has %v", v.name, name, v.clusterNames())
	}
	return c
}

func (v *proxyView) hasCluster(name string) bool {
	return xdstest.ExtractCluster(name, v.sim.Clusters) != nil
}

func (v *proxyView) clusterNames() []string {
	names := xdstest.MapKeys(xdstest.ExtractClusters(v.sim.Clusters))
	sort.Strings(names)
	return names
}

func (v *proxyView) listenerNames() []string {
	names := xdstest.ExtractListenerNames(v.sim.Listeners)
	sort.Strings(names)
	return names
}

// run simulates one call and logs where it went, so a failing expectation shows the whole path.
func (v *proxyView) run(t *testing.T, call simulation.Call) simulation.Result {
	t.Helper()
	r := v.sim.Run(call)
	t.Logf("%s: %s -> listener %q, filter chain %q, route config %q, virtual host %q, route %q, cluster %q, error %v",
		v.name, describeCall(call), r.ListenerMatched, r.FilterChainMatched, r.RouteConfigMatched, r.VirtualHostMatched,
		r.RouteMatched, r.ClusterMatched, r.Error)
	return r
}

// expect checks the fields of want that are set (simulation.Result.Matches semantics; Error must match exactly).
func (v *proxyView) expect(t *testing.T, call simulation.Call, want simulation.Result) {
	t.Helper()
	v.run(t, call).Matches(t, want)
}

// expectNotTo checks that a call does not reach the given cluster (whatever else happens to it).
func (v *proxyView) expectNotTo(t *testing.T, call simulation.Call, cluster string) simulation.Result {
	t.Helper()
	r := v.run(t, call)
	if r.ClusterMatched == cluster {
		t.Errorf("%s: %s reached %q, which it must not", v.name, describeCall(call), cluster)
	}
	return r
}

func describeCall(c simulation.Call) string {
	c = c.FillDefaults()
	s := fmt.Sprintf("%s %s %s:%d", c.CallMode, c.Protocol, c.Address, c.Port)
	if c.TLS != simulation.Plaintext {
		s += fmt.Sprintf(" %s sni=%q", c.TLS, c.Sni)
	}
	if h := c.Headers.Get("Host"); h != "" {
		s += fmt.Sprintf(" Host=%q", h)
	}
	return s
}

// routeAction finds the route a virtual host of a route configuration uses, by names.
func (v *proxyView) route(t *testing.T, routeConfig, virtualHost string) *route.Route {
	t.Helper()
	rc := xdstest.ExtractRouteConfigurations(v.sim.Routes)[routeConfig]
	if rc == nil {
		t.Fatalf("%s has no route configuration %q", v.name, routeConfig)
	}
	for _, vh := range rc.VirtualHosts {
		if vh.Name == virtualHost {
			if len(vh.Routes) == 0 {
				t.Fatalf("virtual host %q of %q has no route", virtualHost, routeConfig)
			}
			return vh.Routes[0]
		}
	}
	t.Fatalf("%s route configuration %q has no virtual host %q", v.name, routeConfig, virtualHost)
	return nil
}

// upstreamTLS is the TLS a cluster originates to its (first) endpoint, or nil for plaintext. With auto mTLS the
// cluster has transport socket matches; Envoy uses the first whose match fields are all in the endpoint's
// "envoy.transport_socket_match" metadata (Istio puts the pod's security.istio.io/tlsMode there).
func (v *proxyView) upstreamTLS(t *testing.T, c *cluster.Cluster) *tls.UpstreamTlsContext {
	t.Helper()
	ts := c.GetTransportSocket()
	if matches := c.GetTransportSocketMatches(); len(matches) > 0 {
		var metadata map[string]*structpb.Value
		if cla := v.loadAssignments[c.Name]; cla != nil {
			for _, locality := range cla.GetEndpoints() {
				for _, ep := range locality.GetLbEndpoints() {
					metadata = ep.GetMetadata().GetFilterMetadata()["envoy.transport_socket_match"].GetFields()
					break
				}
			}
		}
		for _, m := range matches {
			applies := true
			for key, want := range m.GetMatch().GetFields() {
				if got, ok := metadata[key]; !ok || !proto.Equal(got, want) {
					applies = false
				}
			}
			if applies {
				t.Logf("%s: transport socket match %q applies to the endpoint (metadata %v)", c.Name, m.GetName(), metadata)
				ts = m.GetTransportSocket()
				break
			}
		}
	}
	if ts == nil || ts.GetName() != "envoy.transport_sockets.tls" {
		return nil
	}
	ctx := &tls.UpstreamTlsContext{}
	if err := ts.GetTypedConfig().UnmarshalTo(ctx); err != nil {
		t.Fatalf("cluster %s: %v", c.Name, err)
	}
	return ctx
}

// tlsSummary renders what matters of an upstream TLS context: SNI, client certificate, trust, SANs, ALPN.
type tlsSummary struct {
	SNI        string
	ClientCert []string // SDS secret names of the client certificate
	Trust      string   // SDS name of the validation context, or the CA file
	SANs       []string
	ALPN       []string
}

func summarizeTLS(ctx *tls.UpstreamTlsContext) tlsSummary {
	s := tlsSummary{SNI: ctx.GetSni()}
	common := ctx.GetCommonTlsContext()
	for _, sds := range common.GetTlsCertificateSdsSecretConfigs() {
		s.ClientCert = append(s.ClientCert, sds.GetName())
	}
	s.ALPN = common.GetAlpnProtocols()
	var validation *tls.CertificateValidationContext
	switch vc := common.GetValidationContextType().(type) {
	case *tls.CommonTlsContext_CombinedValidationContext:
		s.Trust = vc.CombinedValidationContext.GetValidationContextSdsSecretConfig().GetName()
		validation = vc.CombinedValidationContext.GetDefaultValidationContext()
	case *tls.CommonTlsContext_ValidationContextSdsSecretConfig:
		s.Trust = vc.ValidationContextSdsSecretConfig.GetName()
	case *tls.CommonTlsContext_ValidationContext:
		validation = vc.ValidationContext
		s.Trust = validation.GetTrustedCa().GetFilename()
	}
	for _, m := range validation.GetMatchTypedSubjectAltNames() {
		s.SANs = append(s.SANs, m.GetMatcher().GetExact()+m.GetMatcher().GetPrefix())
	}
	// Istio still writes the deprecated untyped form for ISTIO_MUTUAL.
	for _, m := range validation.GetMatchSubjectAltNames() { //nolint:staticcheck
		s.SANs = append(s.SANs, m.GetExact()+m.GetPrefix())
	}
	return s
}

// foreignTypes lists every type URL in the messages (Any and TypedStruct, recursively) that upstream Envoy does not
// know by itself: anything but envoy.*, google.protobuf.*, udpa.type.*, xds.type.* (dataplane.md §1 "gap to test").
func foreignTypes(messages ...proto.Message) []string {
	found := map[string]bool{}
	for _, m := range messages {
		collectTypeURLs(m.ProtoReflect(), found)
	}
	var foreign []string
	for url := range found {
		name := url[strings.LastIndex(url, "/")+1:]
		if !slices.ContainsFunc([]string{"envoy.", "google.protobuf.", "udpa.type.", "xds.type."}, func(prefix string) bool {
			return strings.HasPrefix(name, prefix)
		}) {
			foreign = append(foreign, url)
		}
	}
	sort.Strings(foreign)
	return foreign
}

func collectTypeURLs(m protoreflect.Message, found map[string]bool) {
	switch m.Descriptor().FullName() {
	case "google.protobuf.Any":
		fields := m.Descriptor().Fields()
		a := &anypb.Any{
			TypeUrl: m.Get(fields.ByName("type_url")).String(),
			Value:   m.Get(fields.ByName("value")).Bytes(),
		}
		found[a.TypeUrl] = true
		if inner, err := a.UnmarshalNew(); err == nil {
			collectTypeURLs(inner.ProtoReflect(), found)
		}
		return
	case "udpa.type.v1.TypedStruct", "xds.type.v3.TypedStruct":
		found[m.Get(m.Descriptor().Fields().ByName("type_url")).String()] = true
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			for i := 0; i < v.List().Len(); i++ {
				collectTypeURLs(v.List().Get(i).Message(), found)
			}
		case fd.IsMap() && fd.MapValue().Message() != nil:
			v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
				collectTypeURLs(mv.Message(), found)
				return true
			})
		case !fd.IsList() && !fd.IsMap() && fd.Message() != nil:
			collectTypeURLs(v.Message(), found)
		}
		return true
	})
}

// allConfig is every listener, route configuration and cluster of a proxy, as messages.
func (v *proxyView) allConfig() []proto.Message {
	var out []proto.Message
	for _, l := range v.sim.Listeners {
		out = append(out, l)
	}
	for _, r := range v.sim.Routes {
		out = append(out, r)
	}
	for _, c := range v.sim.Clusters {
		out = append(out, c)
	}
	return out
}

// filterChainServerNames lists, per filter chain of a listener, its SNI match (for messages).
func filterChainServerNames(l *listener.Listener) []string {
	var out []string
	for _, fc := range l.GetFilterChains() {
		out = append(out, fmt.Sprintf("%s%v", fc.GetName(), fc.GetFilterChainMatch().GetServerNames()))
	}
	return out
}
