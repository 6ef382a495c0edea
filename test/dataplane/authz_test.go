package dataplane

// Who may reach which host, decided at the gateway: the RBAC filters istiod generated for the filter chain a hop
// reaches are evaluated (rbac_test.go) for a matrix of callers — each allowed source, a stranger, another
// ServiceAccount of a namespace whose one ServiceAccount is allowed, another trust domain, a caller without a mesh
// identity — and a Host header spoofed through another host's chain must not reach a restricted host.

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	rbacpb "github.com/envoyproxy/go-control-plane/envoy/config/rbac/v3"
	rbachttp "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/rbac/v3"
	hcm "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	rbacnet "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/rbac/v3"
	"google.golang.org/protobuf/proto"

	"istio.io/istio/pilot/pkg/simulation"
	"istio.io/istio/pilot/test/xdstest"
)

// allowedSource is a `from` entry of a host, as export-plan.ts states it.
type allowedSource struct {
	Namespace      string `json:"namespace"`
	ServiceAccount string `json:"serviceAccount"`
}

// caller is one identity calling a host through the gateway, and whether the host's sources admit it.
type caller struct {
	Name      string
	Principal string
	Admitted  bool
}

func spiffe(trustDomain, namespace, serviceAccount string) string {
	return fmt.Sprintf("spiffe://%s/ns/%s/sa/%s", trustDomain, namespace, serviceAccount)
}

// callersOf is the matrix of callers for a host: with no sources, every identity is admitted.
func callersOf(h hostIntent) []caller {
	open := h.Sources == nil
	callers := []caller{{"a stranger", spiffe("cluster.local", "stranger-ns", "stranger"), open}}
	for _, s := range h.Sources {
		account := s.ServiceAccount
		if account == "" {
			account = "any-account"
		}
		callers = append(callers,
			caller{"source " + s.Namespace + "/" + account, spiffe("cluster.local", s.Namespace, account), true},
			caller{"source " + s.Namespace + "/" + account + " in another trust domain",
				spiffe("other.example", s.Namespace, account), true})
		if s.ServiceAccount != "" && !h.admitsNamespace(s.Namespace) {
			callers = append(callers, caller{"another account of " + s.Namespace,
				spiffe("cluster.local", s.Namespace, "not-"+s.ServiceAccount), false})
		}
	}
	if !open {
		// No identity: Istio's mutual TLS hop would refuse the handshake; the policy must deny it regardless.
		callers = append(callers, caller{"a caller without a mesh identity", "", false})
	}
	return callers
}

// admitsNamespace says whether a host admits every workload of a namespace.
func (h hostIntent) admitsNamespace(namespace string) bool {
	return slices.ContainsFunc(h.Sources, func(s allowedSource) bool { return s.Namespace == namespace && s.ServiceAccount == "" })
}

// admits says whether a host admits a principal (sources by namespace or ServiceAccount, any trust domain).
func (h hostIntent) admits(principal string) bool {
	if h.Sources == nil {
		return true
	}
	return slices.ContainsFunc(h.Sources, func(s allowedSource) bool {
		if s.ServiceAccount != "" {
			return strings.HasSuffix(principal, "/ns/"+s.Namespace+"/sa/"+s.ServiceAccount)
		}
		return strings.Contains(principal, "/ns/"+s.Namespace+"/")
	})
}

// chainRBAC returns the RBAC filters the gateway applies on a filter chain, network filters first, then its HTTP
// connection manager's, in order. The chain is the one the simulator matched, or, where istiod left chains unnamed,
// the one Envoy selects for the SNI (an exact name before a wildcard).
func (v *proxyView) chainRBAC(t *testing.T, listenerName, chainName, sni string) []*rbacpb.RBAC {
	t.Helper()
	l := xdstest.ExtractListener(listenerName, v.sim.Listeners)
	if l == nil {
		t.Fatalf("%s has no listener %q", v.name, listenerName)
	}
	chain := chainFor(l, chainName, sni)
	if chain == nil {
		t.Fatalf("%s: listener %s has no filter chain for %q (chains: %v)", v.name, listenerName, sni,
			filterChainServerNames(l))
	}
	var filters []*rbacpb.RBAC
	unmarshal := func(name string, any interface{ UnmarshalTo(proto.Message) error }, into proto.Message) {
		if err := any.UnmarshalTo(into); err != nil {
			t.Fatalf("%s: filter %s: %v", v.name, name, err)
		}
	}
	for _, f := range chain.GetFilters() {
		switch f.GetName() {
		case "envoy.filters.network.rbac":
			config := &rbacnet.RBAC{}
			unmarshal(f.GetName(), f.GetTypedConfig(), config)
			filters = append(filters, config.GetRules())
		case "envoy.filters.network.http_connection_manager":
			manager := &hcm.HttpConnectionManager{}
			unmarshal(f.GetName(), f.GetTypedConfig(), manager)
			for _, hf := range manager.GetHttpFilters() {
				if hf.GetName() == "envoy.filters.http.rbac" {
					config := &rbachttp.RBAC{}
					unmarshal(hf.GetName(), hf.GetTypedConfig(), config)
					filters = append(filters, config.GetRules())
				}
			}
		}
	}
	return filters
}

func chainFor(l *listener.Listener, name, sni string) *listener.FilterChain {
	var named []*listener.FilterChain
	for _, fc := range l.GetFilterChains() {
		if name != "" && fc.GetName() == name {
			named = append(named, fc)
		}
	}
	if len(named) == 1 {
		return named[0]
	}
	var best *listener.FilterChain
	bestSuffix := -1
	for _, fc := range l.GetFilterChains() {
		names := fc.GetFilterChainMatch().GetServerNames()
		if len(names) == 0 && bestSuffix < 0 {
			best = fc
		}
		for _, server := range names {
			if server == sni {
				return fc
			}
			if strings.HasPrefix(server, "*.") && strings.HasSuffix(sni, server[1:]) && len(server) > bestSuffix {
				best, bestSuffix = fc, len(server)
			}
		}
	}
	return best
}

// decideAt evaluates the gateway's RBAC for one caller on the chain a hop reaches.
func (v *proxyView) decideAt(t *testing.T, hop simulation.Call, r simulation.Result, principal string) rbacDecision {
	t.Helper()
	filters := v.chainRBAC(t, r.ListenerMatched, r.FilterChainMatched, hop.Sni)
	d, err := decide(filters, rbacRequest{PeerPrincipal: principal, Port: uint32(hop.Port), SNI: hop.Sni,
		Authority: hop.HostHeader})
	if err != nil {
		t.Fatalf("%s: evaluating the RBAC of %s: %v", v.name, describeCall(hop), err)
	}
	return d
}

// checkAuthorization: every host reachable on the mutual-TLS hop admits exactly its sources at the gateway, and a
// Host header sent through another host's chain never reaches a host that does not admit the caller.
func checkAuthorization(t *testing.T, hosts []hostIntent, sidecarIn func(string) *proxyView, gateway *proxyView) {
	type routed struct {
		host     hostIntent
		hop      simulation.Call
		upstream string
	}
	var mutual []routed
	for _, h := range hosts {
		if h.ClientNamespace == "" {
			continue
		}
		hop, ok := hopOf(t, h, sidecarIn(h.ClientNamespace))
		if !ok || hop.TLS != simulation.MTLS {
			continue
		}
		r := gateway.sim.Run(hop)
		if r.ClusterMatched == "" || r.ClusterMatched == "BlackHoleCluster" {
			t.Errorf("%s: the gateway dropped the hop %s (error %v)", h.Host, describeCall(hop), r.Error)
			continue
		}
		mutual = append(mutual, routed{h, hop, r.ClusterMatched})
		for _, c := range callersOf(h) {
			if d := gateway.decideAt(t, hop, r, c.Principal); d.Allowed != c.Admitted {
				t.Errorf("%s, %s (%s): admitted at the gateway %v (%s), want %v", h.Host, c.Name, c.Principal,
					d.Allowed, d.Reason, c.Admitted)
			}
		}
	}
	// A Host header for another HTTP host, sent through this host's chain with an identity this host admits.
	for _, through := range mutual {
		for _, target := range mutual {
			if through.host.Host == target.host.Host || target.host.AppProtocol != "HTTP" ||
				through.host.AppProtocol != "HTTP" || through.hop.Port != target.hop.Port {
				continue
			}
			for _, c := range callersOf(through.host) {
				if !c.Admitted || c.Principal == "" || target.host.admits(c.Principal) {
					continue
				}
				spoof := through.hop
				spoof.HostHeader = target.host.CallName
				r := gateway.sim.Run(spoof)
				if r.ClusterMatched != target.upstream {
					continue
				}
				if d := gateway.decideAt(t, spoof, r, c.Principal); d.Allowed {
					t.Errorf("%s (%s), admitted for %s, reaches %s by its Host header through %s's chain",
						c.Name, c.Principal, through.host.Host, target.host.Host, through.host.Host)
				}
			}
		}
	}
}
