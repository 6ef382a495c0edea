package dataplane

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	"istio.io/istio/pilot/pkg/simulation"
	"istio.io/istio/pilot/test/xdstest"
)

// The invariants, checked on every plan the test knows: the hand-written scenarios and the generated ones
// (export-plan.ts writeGenerated: seeded argument sets MeshEgress accepts). They are stated from the arguments and
// Istio's generated config, not from the recipes, so they hold for any routing design.
//
//   - No bypass: from a client sidecar in any namespace but the gateway's, every (host, port) that a planned
//     ServiceEntry makes visible there, called in the protocol the entry declares, either reaches the egress gateway
//     or is blocked; where REGISTRY_ONLY applies, so is the same (host, port) called in any other protocol (HTTP,
//     TLS, raw TCP). Under ALLOW_ANY, traffic the mesh does not recognise passes by design (docs/security.md).
//   - Routing: every declared host, called the way its app calls it from a namespace that may use it, goes to the
//     gateway, and the gateway sends what the sidecar sent to the host's own endpoints, with the TLS the host's
//     mode asks for.
//   - Default deny: where REGISTRY_ONLY applies, an undeclared host is blocked on every protocol.
//   - Server-first TCP works: a port that carries only plain TCP (no TLS host) gets no TLS inspector on client
//     sidecars, which would hold a connection until the client sent five bytes (seen in the lab: a 4-byte request hung).

// invariantPlans lists the scenarios and the generated plans of $MESH_EGRESS_PLAN_DIR.
func invariantPlans(t *testing.T) []string {
	names := []string{
		"seed-mtls", "seed-plain", "seed-root-sidecar", "every-mode-mtls", "every-mode-plain",
		"seed-gateway-api", "every-mode-gateway-api-mtls", "every-mode-gateway-api-plain", "ambient-every-mode",
		"existing-gateway", "existing-gateway-gateway-api", "chart-egress-gateway", "chart-egress-gateway-gateway-api",
		"wildcards-per-name-mtls", "wildcards-per-name-plain",
		// Several components on one gateway, beside a route written by hand (compositions.ts).
		"platform-and-teams", "platform-and-teams-gateway-api", "teams-beside-hand-written-routes",
	}
	if dir := os.Getenv("MESH_EGRESS_PLAN_DIR"); dir != "" {
		for _, kind := range []string{"generated", "composition"} {
			generated, err := filepath.Glob(filepath.Join(dir, kind+"-*.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			sort.Slice(generated, func(i, j int) bool { return generatedIndex(generated[i]) < generatedIndex(generated[j]) })
			for _, file := range generated {
				names = append(names, strings.TrimSuffix(filepath.Base(file), ".yaml"))
			}
		}
	}
	return names
}

func generatedIndex(file string) int {
	var i int
	base := filepath.Base(file)
	fmt.Sscanf(base[strings.Index(base, "-")+1:], "%d.yaml", &i)
	return i
}

func TestInvariants(t *testing.T) {
	for _, name := range invariantPlans(t) {
		t.Run(name, func(t *testing.T) {
			p := loadPlan(t, name)
			if strings.HasPrefix(name, "generated-") || strings.HasPrefix(name, "composition-") {
				t.Logf("component %q, arguments %s", p.Summary.ComponentName, p.Summary.Args)
			}
			s := newServer(t, p, serverOptions{})
			if p.Summary.Dataplane == "AMBIENT" {
				// No client sidecars: what routes is the waypoint, and antiBypass (required) is the default deny.
				checkWaypoints(t, p, s)
				return
			}
			gateway := newProxyView(t, s, "egress gateway", gatewayProxy(t, p))
			sidecars := map[string]*proxyView{}
			sidecarIn := func(namespace string) *proxyView {
				if v, ok := sidecars[namespace]; ok {
					return v
				}
				v := newProxyView(t, s, "client sidecar in "+namespace, clientSidecarIn(namespace))
				sidecars[namespace] = v
				return v
			}
			t.Run("no bypass", func(t *testing.T) {
				for _, namespace := range p.Summary.ProbeNamespaces {
					checkNoBypass(t, p, sidecarIn(namespace))
				}
			})
			t.Run("every host routes through the gateway to its own endpoints", func(t *testing.T) {
				for _, h := range p.Summary.Hosts {
					if h.ClientNamespace == "" {
						continue
					}
					checkRouting(t, p, h, sidecarIn(h.ClientNamespace), gateway)
				}
			})
			t.Run("each host admits exactly its sources at the gateway", func(t *testing.T) {
				checkAuthorization(t, p.Summary.Hosts, sidecarIn, gateway)
			})
			t.Run("a port that carries only plain TCP has no TLS inspector on client sidecars", func(t *testing.T) {
				for _, namespace := range p.Summary.ProbeNamespaces {
					checkNoTLSInspector(t, p, sidecarIn(namespace))
				}
			})
			t.Run("undeclared hosts are blocked where REGISTRY_ONLY applies", func(t *testing.T) {
				for _, namespace := range p.Summary.ProbeNamespaces {
					if registryOnlyIn(p, namespace) {
						checkDefaultDeny(t, p, sidecarIn(namespace))
					}
				}
			})
		})
	}
}

// visibleTo is Istio's exportTo for a ServiceEntry: "*" every namespace, "." its own, a name that namespace.
func (se serviceEntry) visibleTo(namespace string) bool {
	if len(se.ExportTo) == 0 {
		return true
	}
	for _, to := range se.ExportTo {
		if to == "*" || to == namespace || (to == "." && se.Namespace == namespace) {
			return true
		}
	}
	return false
}

// callName is a concrete name for a ServiceEntry host (a name under a wildcard).
func callName(host string) string {
	if strings.HasPrefix(host, "*.") {
		return "probe." + host[2:]
	}
	return host
}

// callAddress is an address an app would connect to for the entry: one inside its first address, or any.
func (se serviceEntry) callAddress() string {
	if len(se.Addresses) > 0 {
		if prefix, err := netip.ParsePrefix(se.Addresses[0]); err == nil {
			return prefix.Addr().String()
		}
		return se.Addresses[0]
	}
	return appAddress
}

// outcome classifies where a call went: to the gateway pod, blocked, or somewhere else (a bypass).
func (v *proxyView) outcome(t *testing.T, r simulation.Result) (string, bool) {
	switch {
	case r.ClusterMatched == "":
		return "blocked (" + fmt.Sprint(r.Error) + ", route " + r.RouteMatched + ")", true
	case r.ClusterMatched == "BlackHoleCluster" || r.ClusterMatched == "block_all":
		return "blocked (" + r.ClusterMatched + ")", true
	}
	eps := v.endpoints[r.ClusterMatched]
	// An EDS cluster with no endpoints drops every connection (the audit's listener entry has none); an
	// ORIGINAL_DST or DNS cluster without EDS endpoints still connects somewhere, so it stays a bypass.
	if c := xdstest.ExtractCluster(r.ClusterMatched, v.sim.Clusters); c.GetType() == cluster.Cluster_EDS && len(eps) == 0 {
		return "blocked (" + r.ClusterMatched + " has no endpoints)", true
	}
	if len(eps) > 0 && !slices.ContainsFunc(eps, func(ep string) bool { return !strings.HasPrefix(ep, gatewayPodIP+":") }) {
		return "to the gateway (" + r.ClusterMatched + ")", true
	}
	return fmt.Sprintf("to %s (endpoints %v)", r.ClusterMatched, eps), false
}

// declaredKinds are the call kinds a ServiceEntry port's protocol covers: a TCP port takes any bytes.
func declaredKinds(protocol string) []string {
	switch strings.ToUpper(protocol) {
	case "HTTP", "HTTP2", "GRPC":
		return []string{"HTTP"}
	case "TLS", "HTTPS":
		return []string{"TLS"}
	}
	return []string{"HTTP", "TLS", "TCP"}
}

// checkNoBypass calls every visible (host, port) of the plan's ServiceEntries: in its declared protocol, and in
// every protocol where REGISTRY_ONLY applies.
func checkNoBypass(t *testing.T, p *exportedPlan, sidecar *proxyView) {
	namespace := sidecar.proxy.ConfigNamespace
	strict := registryOnlyIn(p, namespace)
	for _, se := range p.ServiceEntries {
		if !se.visibleTo(namespace) {
			continue
		}
		for _, host := range se.Hosts {
			for _, port := range se.Ports {
				name := callName(host)
				calls := map[string]simulation.Call{
					"HTTP": {Address: se.callAddress(), Port: port.Number, Protocol: simulation.HTTP, HostHeader: name,
						CallMode: simulation.CallModeOutbound},
					"TLS": {Address: se.callAddress(), Port: port.Number, Protocol: simulation.TCP, TLS: simulation.TLS,
						Sni: name, CallMode: simulation.CallModeOutbound},
					"TCP": {Address: se.callAddress(), Port: port.Number, Protocol: simulation.TCP,
						CallMode: simulation.CallModeOutbound},
				}
				for kind, call := range calls {
					if !strict && !slices.Contains(declaredKinds(port.Protocol), kind) {
						continue
					}
					r := sidecar.sim.Run(call)
					if where, ok := sidecar.outcome(t, r); !ok {
						t.Errorf("BYPASS in %s: %s %s:%d (ServiceEntry %s, visible there) went %s instead of to the "+
							"egress gateway or nowhere", namespace, kind, name, port.Number, se.Name, where)
					}
				}
			}
		}
	}
}

// appCall is the request a host's app sends.
func (h hostIntent) appCall() simulation.Call {
	switch h.AppProtocol {
	case "TLS":
		return simulation.Call{Address: appAddress, Port: h.Port, Protocol: simulation.TCP, TLS: simulation.TLS,
			Sni: h.CallName, CallMode: simulation.CallModeOutbound}
	case "TCP":
		address := h.CallAddress
		if address == "" {
			address = appAddress
		}
		return simulation.Call{Address: address, Port: h.Port, Protocol: simulation.TCP,
			CallMode: simulation.CallModeOutbound}
	}
	return simulation.Call{Address: appAddress, Port: h.Port, Protocol: simulation.HTTP, HostHeader: h.CallName,
		CallMode: simulation.CallModeOutbound}
}

// hopOf follows one host's app call to the gateway and returns the hop the client sidecar sends there (port, mTLS
// and SNI read from the sidecar's own cluster, so it holds whatever objects carry the route), or false after
// reporting where the call went instead.
func hopOf(t *testing.T, h hostIntent, sidecar *proxyView) (simulation.Call, bool) {
	r := sidecar.sim.Run(h.appCall())
	where, ok := sidecar.outcome(t, r)
	if !ok || !strings.HasPrefix(where, "to the gateway") {
		t.Errorf("%s from %s: the app's %s call on port %d went %s, want to the egress gateway", h.Host,
			sidecar.proxy.ConfigNamespace, h.AppProtocol, h.Port, where)
		return simulation.Call{}, false
	}
	hopCluster := sidecar.cluster(t, r.ClusterMatched)
	hopPort := 0
	fmt.Sscanf(sidecar.endpoints[r.ClusterMatched][0], gatewayPodIP+":%d", &hopPort)
	hop := simulation.Call{Address: gatewayPodIP, Port: hopPort, Protocol: simulation.TCP, CallMode: simulation.CallModeGateway}
	if h.AppProtocol == "HTTP" {
		hop.Protocol, hop.HostHeader = simulation.HTTP, h.CallName
	}
	if tls := sidecar.upstreamTLS(t, hopCluster); tls != nil {
		hop.TLS, hop.Sni = simulation.MTLS, tls.GetSni()
	} else if h.AppProtocol == "TLS" {
		hop.TLS, hop.Sni = simulation.TLS, h.CallName
	}
	return hop, true
}

// checkRouting follows one host's app call from the sidecar to the gateway and on to the host; it returns the
// gateway's cluster for the host ("" when the call went wrong, reported).
func checkRouting(t *testing.T, p *exportedPlan, h hostIntent, sidecar *proxyView, gateway *proxyView) string {
	hop, ok := hopOf(t, h, sidecar)
	if !ok {
		return ""
	}
	g := gateway.sim.Run(hop)
	if g.ClusterMatched == "" || g.ClusterMatched == "BlackHoleCluster" {
		t.Errorf("%s: the gateway dropped the hop %s (error %v)", h.Host, describeCall(hop), g.Error)
		return ""
	}
	upstream := gateway.cluster(t, g.ClusterMatched)
	// Istio lists a STATIC ServiceEntry's endpoints once per address of the entry: compare as sets.
	got := slices.Compact(slices.Sorted(slices.Values(gateway.clusterEndpoints(t, upstream))))
	if want := slices.Sorted(slices.Values(h.UpstreamEndpoints)); !slices.Equal(got, want) {
		t.Errorf("%s: the gateway sent the hop to %s with endpoints %v, want %v", h.Host, g.ClusterMatched, got, want)
	}
	// A wildcard resolved per name goes to a dynamic forward proxy (the name of each request), anything else not.
	if isDynamicForwardProxy(upstream) != h.ResolvedPerName {
		t.Errorf("%s: the gateway's cluster %s is a dynamic forward proxy: %v, want %v", h.Host, g.ClusterMatched,
			isDynamicForwardProxy(upstream), h.ResolvedPerName)
	}
	tls := gateway.upstreamTLS(t, upstream)
	switch {
	case h.Origination == nil && tls != nil:
		t.Errorf("%s: the gateway originates TLS %+v, want the app's bytes forwarded", h.Host, summarizeTLS(tls))
	case h.Origination != nil && tls == nil:
		t.Errorf("%s: the gateway originates no TLS to %s", h.Host, g.ClusterMatched)
	case h.Origination != nil && tls.GetSni() != h.Origination.SNI:
		t.Errorf("%s: the gateway originates TLS with SNI %q, want %q", h.Host, tls.GetSni(), h.Origination.SNI)
	}
	return g.ClusterMatched
}

// registryOnlyIn says whether the plan puts a namespace under REGISTRY_ONLY.
func registryOnlyIn(p *exportedPlan, namespace string) bool {
	if p.Summary.Policy.Mode != "REGISTRY_ONLY" {
		return false
	}
	return p.Summary.Policy.Target != "NAMESPACE_SIDECARS" || slices.Contains(p.Summary.Policy.Namespaces, namespace)
}

// checkDefaultDeny calls an undeclared host on every port the plan's ServiceEntries use, plus 80, 443 and 9999.
func checkDefaultDeny(t *testing.T, p *exportedPlan, sidecar *proxyView) {
	ports := map[int]bool{80: true, 443: true, 9999: true}
	for _, se := range p.ServiceEntries {
		for _, port := range se.Ports {
			ports[port.Number] = true
		}
	}
	for port := range ports {
		for kind, call := range map[string]simulation.Call{
			"HTTP": {Address: "198.51.100.7", Port: port, Protocol: simulation.HTTP, HostHeader: "undeclared.example",
				CallMode: simulation.CallModeOutbound},
			"TLS": {Address: "198.51.100.7", Port: port, Protocol: simulation.TCP, TLS: simulation.TLS,
				Sni: "undeclared.example", CallMode: simulation.CallModeOutbound},
			"TCP": {Address: "198.51.100.7", Port: port, Protocol: simulation.TCP, CallMode: simulation.CallModeOutbound},
		} {
			r := sidecar.sim.Run(call)
			if where, ok := sidecar.outcome(t, r); !ok {
				t.Errorf("in %s under REGISTRY_ONLY: %s to undeclared.example:%d went %s", sidecar.proxy.ConfigNamespace,
					kind, port, where)
			}
		}
	}
}

// checkNoTLSInspector: for every port whose hosts the app reaches with plain TCP (one port carries one protocol), the
// wildcard listener of that port must not inspect TLS (which waits for a ClientHello before routing).
func checkNoTLSInspector(t *testing.T, p *exportedPlan, sidecar *proxyView) {
	namespace := sidecar.proxy.ConfigNamespace
	tcpPorts := map[int]bool{}
	for _, h := range p.Summary.Hosts {
		if h.AppProtocol == "TCP" {
			tcpPorts[h.Port] = true
		}
	}
	for _, l := range sidecar.sim.Listeners {
		port := int(l.GetAddress().GetSocketAddress().GetPortValue())
		if !tcpPorts[port] || l.GetAddress().GetSocketAddress().GetAddress() != "0.0.0.0" {
			continue
		}
		for _, f := range l.GetListenerFilters() {
			if f.GetName() == "envoy.filters.listener.tls_inspector" {
				t.Errorf("in %s: listener %s (port %d carries only TCP) has a TLS inspector", namespace, l.GetName(), port)
			}
		}
	}
}
