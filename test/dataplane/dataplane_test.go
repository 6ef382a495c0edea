package dataplane

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"istio.io/istio/pilot/pkg/simulation"
	"istio.io/istio/pilot/test/xdstest"
)

// The gateway Service the seed's component ("egress") plans, and the identity of its pods.
const (
	gatewayHost = "egress-gateway.istio-system.svc.cluster.local"
	gatewaySAN  = "spiffe://cluster.local/ns/istio-system/sa/egress-gateway"
	// appAddress is where the app's DNS lookup of an external name points; any address outside the mesh.
	appAddress = "203.0.113.10"
)

type appKind string

const (
	httpApp appKind = "HTTP" // the app sends plain HTTP
	tlsApp  appKind = "TLS"  // the app sends TLS (HTTPS) itself
	tcpApp  appKind = "TCP"  // the app opens a TCP connection
)

// hostCase is one declared host, the request its app sends, and where Istio must send it. Everything here is
// written from the README's recipes, not read from the plan, except the gateway port of a host that gets a port of
// its own (derived from a hash of the host; the plan's PlanSummary reports it and the test checks its range).
type hostCase struct {
	host    string
	kind    appKind
	appPort int
	// appSNI is the name in the app's TLS ClientHello (tlsApp); for a wildcard, a name under it.
	appSNI string
	// appIP is the destination address the app connects to (tcpApp).
	appIP string
	// hop is the host's hop alias: the ServiceEntry host through which its clients reach the gateway (docs/modes.md).
	hop string
	// upstream and upstreamPort name the gateway's cluster for the host (the wildcard's upstream, the origination
	// modes' externalPort).
	upstream     string
	upstreamPort int
	// upstreamEndpoint is what that cluster connects to.
	upstreamEndpoint string
	// hopSNI is the SNI of the Istio-mTLS hop (the host; the upstream for a wildcard).
	hopSNI string
	// origination is the TLS the gateway must originate to the host; nil: it must not originate any.
	origination *originationCase
	// gatewayOnly lists clusters that only the gateway may have (what a rule exported to "." declares).
	gatewayOnly []string
}

type originationCase struct {
	sni        string
	clientCert []string
	trust      string // substring of the trust source (SDS name or CA file)
}

var (
	aliyun = hostCase{
		host: "aliyun.com", kind: httpApp, appPort: 80, hop: "egress-aliyun-com.gateway.mesh-egress.internal",
		upstream: "aliyun.com", upstreamPort: 80, upstreamEndpoint: "aliyun.com:80", hopSNI: "aliyun.com",
	}
	exampleOrg = hostCase{
		host: "example.org", kind: httpApp, appPort: 8080, hop: "egress-example-org.gateway.mesh-egress.internal",
		upstream: "example.org", upstreamPort: 8080, upstreamEndpoint: "example.org:8080", hopSNI: "example.org",
	}
	stripe = hostCase{
		host: "api.stripe.com", kind: tlsApp, appPort: 443, appSNI: "api.stripe.com", hop: "egress-api-stripe-com.gateway.mesh-egress.internal",
		upstream: "api.stripe.com", upstreamPort: 443, upstreamEndpoint: "api.stripe.com:443", hopSNI: "api.stripe.com",
	}
	cnn = hostCase{
		host: "edition.cnn.com", kind: httpApp, appPort: 80, hop: "egress-edition-cnn-com.gateway.mesh-egress.internal",
		upstream: "egress-edition-cnn-com.upstream.mesh-egress.internal", upstreamPort: 443, upstreamEndpoint: "edition.cnn.com:443", hopSNI: "edition.cnn.com",
		origination: &originationCase{sni: "edition.cnn.com", trust: "/etc/ssl/certs/ca-certificates.crt"},
	}
	mtlsExample = hostCase{
		host: "mtls.example.com", kind: httpApp, appPort: 80, hop: "egress-mtls-example-com.gateway.mesh-egress.internal",
		upstream: "egress-mtls-example-com.upstream.mesh-egress.internal", upstreamPort: 443, upstreamEndpoint: "mtls.example.com:443", hopSNI: "mtls.example.com",
		origination: &originationCase{
			sni:        "mtls.example.com",
			clientCert: []string{"kubernetes://client-credential"},
			trust:      "kubernetes://client-credential-cacert",
		},
	}
	wikipedia = hostCase{
		host: "*.wikipedia.org", kind: tlsApp, appPort: 443, appSNI: "en.wikipedia.org", hop: "egress-star---wikipedia-org.gateway.mesh-egress.internal",
		upstream: "egress-star---wikipedia-org.upstream.mesh-egress.internal", upstreamPort: 443, upstreamEndpoint: "www.wikipedia.org:443", hopSNI: "www.wikipedia.org",
		gatewayOnly: []string{"outbound|443||egress-star---wikipedia-org.upstream.mesh-egress.internal"},
	}
	mongo = hostCase{
		host: "mongo.example.com", kind: tcpApp, appPort: 27017, appIP: "192.0.2.10", hop: "egress-mongo-example-com.gateway.mesh-egress.internal",
		upstream: "mongo.example.com", upstreamPort: 27017, upstreamEndpoint: "192.0.2.10:27017", hopSNI: "mongo.example.com",
	}
	everyMode = []hostCase{aliyun, stripe, exampleOrg, cnn, mtlsExample, wikipedia, mongo}
)

type scenarioCase struct {
	name  string // export-plan.ts scenario
	hosts []hostCase
	// mutualHop: the gateway hop is Istio mTLS (the default), else plain.
	mutualHop bool
}

func TestSeedMutualHop(t *testing.T) {
	runScenario(t, scenarioCase{name: "seed-mtls", hosts: []hostCase{aliyun}, mutualHop: true})
}

func TestSeedPlainHop(t *testing.T) {
	runScenario(t, scenarioCase{name: "seed-plain", hosts: []hostCase{aliyun}})
}

func TestSeedRootNamespaceSidecar(t *testing.T) {
	runScenario(t, scenarioCase{name: "seed-root-sidecar", hosts: []hostCase{aliyun}, mutualHop: true})
}

func TestEveryModeMutualHop(t *testing.T) {
	runScenario(t, scenarioCase{name: "every-mode-mtls", hosts: everyMode, mutualHop: true})
}

func TestEveryModePlainHop(t *testing.T) {
	runScenario(t, scenarioCase{name: "every-mode-plain", hosts: everyMode})
}

func TestSeedGatewayAPI(t *testing.T) {
	runScenario(t, scenarioCase{name: "seed-gateway-api", hosts: []hostCase{aliyun}, mutualHop: true})
}

func TestEveryModeGatewayAPIMutualHop(t *testing.T) {
	runScenario(t, scenarioCase{name: "every-mode-gateway-api-mtls", hosts: everyMode, mutualHop: true})
}

func TestEveryModeGatewayAPIPlainHop(t *testing.T) {
	runScenario(t, scenarioCase{name: "every-mode-gateway-api-plain", hosts: everyMode})
}

// gatewayPort is the port the plan gives the host on the gateway, checked against the README's rules.
func gatewayPort(t *testing.T, p *exportedPlan, sc scenarioCase, h hostCase) int {
	t.Helper()
	objects, ok := p.Summary.HostObjects[h.host]
	if !ok {
		t.Fatalf("the plan has no host %q (hosts: %v)", h.host, p.Summary.HostObjects)
	}
	port := objects.GatewayPort
	// Only a TCP host on the plain hop gets a port of its own; every other host arrives on its app port.
	dedicated := h.kind == tcpApp && !sc.mutualHop
	if dedicated && (port < 20000 || port > 32767) {
		t.Fatalf("%s: gateway port %d is not a port of its own in 20000-32767", h.host, port)
	}
	if !dedicated && port != h.appPort {
		t.Fatalf("%s: gateway port %d, want the app's port %d (shared)", h.host, port, h.appPort)
	}
	return port
}

// sidecarCall is the request the app sends, intercepted by its sidecar.
func (h hostCase) sidecarCall() simulation.Call {
	switch h.kind {
	case tlsApp:
		return simulation.Call{Address: appAddress, Port: h.appPort, Protocol: simulation.TCP, TLS: simulation.TLS,
			Sni: h.appSNI, CallMode: simulation.CallModeOutbound}
	case tcpApp:
		return simulation.Call{Address: h.appIP, Port: h.appPort, Protocol: simulation.TCP, CallMode: simulation.CallModeOutbound}
	}
	return simulation.Call{Address: appAddress, Port: h.appPort, Protocol: simulation.HTTP, HostHeader: h.host,
		CallMode: simulation.CallModeOutbound}
}

// hopCall is what the client sidecar sends to the gateway pod for this host.
func (h hostCase) hopCall(mutualHop bool, port int) simulation.Call {
	c := simulation.Call{Address: gatewayPodIP, Port: port, Protocol: simulation.TCP, CallMode: simulation.CallModeGateway}
	if h.kind == httpApp {
		c.Protocol = simulation.HTTP
		c.HostHeader = h.host
	}
	if mutualHop {
		c.TLS = simulation.MTLS
		c.Sni = h.hopSNI
	} else if h.kind == tlsApp {
		c.TLS = simulation.TLS
		c.Sni = h.appSNI
	}
	return c
}

// gatewayCluster is the client sidecar's cluster for the host's hop alias (its endpoints: the gateway pods).
func gatewayCluster(h hostCase, port int) string {
	return fmt.Sprintf("outbound|%d||%s", port, h.hop)
}

func (h hostCase) upstreamCluster() string {
	return fmt.Sprintf("outbound|%d||%s", h.upstreamPort, h.upstream)
}

// clusterEndpoints is what a cluster connects to: its EDS endpoints, or its inline (DNS) load assignment.
func (v *proxyView) clusterEndpoints(t *testing.T, c *cluster.Cluster) []string {
	if eps, ok := v.endpoints[c.Name]; ok {
		return eps
	}
	return xdstest.ExtractClusterEndpoints([]*cluster.Cluster{c})[c.Name]
}

func runScenario(t *testing.T, sc scenarioCase) {
	p := loadPlan(t, sc.name)
	if p.Summary.GatewayHost != gatewayHost {
		t.Fatalf("the plan's gateway Service is %q, want %q", p.Summary.GatewayHost, gatewayHost)
	}
	if p.Summary.PolicyMode != "REGISTRY_ONLY" {
		t.Fatalf("the plan's outbound policy is %q, want REGISTRY_ONLY", p.Summary.PolicyMode)
	}
	var planned, tested []string
	for host := range p.Summary.HostObjects {
		planned = append(planned, host)
	}
	for _, h := range sc.hosts {
		tested = append(tested, h.host)
	}
	slices.Sort(planned)
	slices.Sort(tested)
	if !slices.Equal(planned, tested) {
		t.Fatalf("scenario %s plans hosts %v but the test knows %v", sc.name, planned, tested)
	}
	s := newServer(t, p, serverOptions{})
	sidecar := newProxyView(t, s, "client sidecar", clientSidecar())
	gateway := newProxyView(t, s, "egress gateway", gatewayProxy(t, p))

	for _, h := range sc.hosts {
		port := gatewayPort(t, p, sc, h)
		toGateway := gatewayCluster(h, port)
		t.Run(fmt.Sprintf("%s %s", h.kind, h.host), func(t *testing.T) {
			t.Run("sidecar sends the app's request to the host's hop alias", func(t *testing.T) {
				want := simulation.Result{ListenerMatched: fmt.Sprintf("0.0.0.0_%d", h.appPort), ClusterMatched: toGateway}
				if h.kind == httpApp {
					want.RouteConfigMatched = fmt.Sprint(h.appPort)
					want.VirtualHostMatched = fmt.Sprintf("%s:%d", h.host, h.appPort)
					want.RouteMatched = "mesh-to-egress-gateway"
				}
				sidecar.expect(t, h.sidecarCall(), want)
			})
			t.Run("the host's hop alias is the gateway pod on the host's gateway port", func(t *testing.T) {
				want := []string{fmt.Sprintf("%s:%d", gatewayPodIP, port)}
				if got := sidecar.endpoints[toGateway]; !slices.Equal(got, want) {
					t.Errorf("endpoints of %s = %v, want %v", toGateway, got, want)
				}
			})
			if sc.mutualHop {
				t.Run("the hop is Istio mTLS with SNI = the host, verifying the gateway's identity", func(t *testing.T) {
					ctx := sidecar.upstreamTLS(t, sidecar.cluster(t, toGateway))
					if ctx == nil || ctx.GetCommonTlsContext() == nil {
						t.Fatalf("%s originates no TLS", toGateway)
					}
					got := summarizeTLS(ctx)
					t.Logf("%+v", got)
					if got.SNI != h.hopSNI {
						t.Errorf("SNI %q, want %q", got.SNI, h.hopSNI)
					}
					if !slices.Equal(got.ClientCert, []string{"default"}) {
						t.Errorf("client certificate %v, want the workload's own (SDS \"default\")", got.ClientCert)
					}
					if got.Trust != "ROOTCA" {
						t.Errorf("trust %q, want the mesh root (SDS \"ROOTCA\")", got.Trust)
					}
					if !slices.Contains(got.SANs, gatewaySAN) {
						t.Errorf("verified SANs %v, want %s (the gateway's ServiceAccount)", got.SANs, gatewaySAN)
					}
				})
			} else {
				t.Run("the hop is plain: the sidecar adds no TLS", func(t *testing.T) {
					if ctx := sidecar.upstreamTLS(t, sidecar.cluster(t, toGateway)); ctx != nil {
						t.Errorf("%s originates TLS %+v, want none on the plain hop", toGateway, summarizeTLS(ctx))
					}
				})
			}
			wantAtGateway := simulation.Result{ListenerMatched: fmt.Sprintf("0.0.0.0_%d", port), ClusterMatched: h.upstreamCluster()}
			if h.kind == httpApp {
				wantAtGateway.RouteMatched = "egress-gateway-to-host"
				wantAtGateway.VirtualHostMatched = fmt.Sprintf("%s:%d", h.host, port)
			}
			t.Run("gateway sends the hop to the host", func(t *testing.T) {
				gateway.expect(t, h.hopCall(sc.mutualHop, port), wantAtGateway)
			})
			if sc.mutualHop && h.kind == httpApp {
				t.Run("gateway does not route another Host inside the host's mTLS hop", func(t *testing.T) {
					other := h.hopCall(true, port)
					other.HostHeader = "undeclared.example"
					other.Headers = nil
					if r := gateway.run(t, other); r.ClusterMatched != "" {
						t.Errorf("Host undeclared.example inside %s's hop reached %q", h.hopSNI, r.ClusterMatched)
					}
				})
			}
			if sc.mutualHop {
				t.Run("gateway refuses the same request without the hop's mTLS", func(t *testing.T) {
					bypass := h.hopCall(false, port)
					if h.kind == tlsApp {
						bypass.TLS, bypass.Sni = simulation.TLS, h.appSNI
					}
					gateway.expectNotTo(t, bypass, h.upstreamCluster())
				})
			} else {
				t.Run("gateway does not forward an undeclared name on the host's port", func(t *testing.T) {
					other := h.hopCall(false, port)
					switch h.kind {
					case httpApp:
						other.HostHeader = "undeclared.example"
						other.Headers = nil
					case tlsApp:
						other.Sni = "undeclared.example"
					case tcpApp:
						other.Port = port + 1 // TCP has no name: a port the plan did not open must have no listener
					}
					gateway.expectNotTo(t, other, h.upstreamCluster())
				})
			}
			t.Run("gateway's cluster for the host connects to the host", func(t *testing.T) {
				c := gateway.cluster(t, h.upstreamCluster())
				if got := gateway.clusterEndpoints(t, c); !slices.Equal(got, []string{h.upstreamEndpoint}) {
					t.Errorf("endpoints of %s = %v, want [%s]", c.Name, got, h.upstreamEndpoint)
				}
			})
			if o := h.origination; o != nil {
				t.Run("gateway originates TLS to the host", func(t *testing.T) {
					ctx := gateway.upstreamTLS(t, gateway.cluster(t, h.upstreamCluster()))
					if ctx == nil {
						t.Fatalf("%s originates no TLS", h.upstreamCluster())
					}
					got := summarizeTLS(ctx)
					t.Logf("%+v", got)
					if got.SNI != o.sni {
						t.Errorf("SNI %q, want %q", got.SNI, o.sni)
					}
					if !slices.Equal(got.ClientCert, o.clientCert) {
						t.Errorf("client certificate %v, want %v", got.ClientCert, o.clientCert)
					}
					if !strings.Contains(got.Trust, o.trust) {
						t.Errorf("trust %q, want %q", got.Trust, o.trust)
					}
				})
				t.Run("client sidecars do not originate TLS to the host themselves", func(t *testing.T) {
					if !sidecar.hasCluster(h.upstreamCluster()) {
						return
					}
					if ctx := sidecar.upstreamTLS(t, sidecar.cluster(t, h.upstreamCluster())); ctx != nil {
						t.Errorf("the sidecar's %s originates TLS %+v: the origination rule leaked out of the gateway namespace",
							h.upstreamCluster(), summarizeTLS(ctx))
					}
				})
			} else {
				t.Run("gateway forwards without originating TLS", func(t *testing.T) {
					if ctx := gateway.upstreamTLS(t, gateway.cluster(t, h.upstreamCluster())); ctx != nil {
						t.Errorf("%s originates TLS %+v, want the app's bytes forwarded as they are", h.upstreamCluster(), summarizeTLS(ctx))
					}
				})
			}
			for _, name := range h.gatewayOnly {
				t.Run("only the gateway sees "+name, func(t *testing.T) {
					if !gateway.hasCluster(name) {
						t.Errorf("the gateway has no %s", name)
					}
					if sidecar.hasCluster(name) {
						t.Errorf("client sidecars have %s, which the plan exports only to the gateway namespace", name)
					}
				})
			}
		})
	}

	t.Run("outbound policy REGISTRY-ONLY", func(t *testing.T) {
		registryOnly(t, sc, sidecar)
		t.Run("control: without the plan's policy the undeclared host passes", func(t *testing.T) {
			open := newServer(t, p, serverOptions{withoutPolicy: true})
			view := newProxyView(t, open, "client sidecar (no policy)", clientSidecar())
			view.expect(t, undeclaredHTTP(80), simulation.Result{ClusterMatched: "PassthroughCluster"})
			view.expect(t, aliyun.sidecarCall(), simulation.Result{ClusterMatched: gatewayCluster(aliyun, 80)})
		})
	})

	t.Run("gateway pod", func(t *testing.T) {
		t.Run("the plan's Service selects the gateway pod", func(t *testing.T) {
			var services []string
			for _, target := range gateway.proxy.ServiceTargets {
				services = append(services, string(target.Service.Hostname))
			}
			if !slices.Contains(services, gatewayHost) {
				t.Errorf("the gateway pod belongs to %v, want %s", services, gatewayHost)
			}
		})
		t.Run("the gateway listens on exactly the plan's gateway ports", func(t *testing.T) {
			var want []string
			for _, port := range p.Summary.GatewayPorts {
				want = append(want, fmt.Sprintf("0.0.0.0_%d", port.Number))
			}
			slices.Sort(want)
			if got := gateway.listenerNames(); !slices.Equal(got, want) {
				t.Errorf("gateway listeners %v, want %v", got, want)
			}
		})
		t.Run("every gateway port is on the Service", func(t *testing.T) {
			onService := map[int32]bool{}
			for _, port := range p.Service.Spec.Ports {
				onService[port.Port] = port.TargetPort.IntValue() == int(port.Port)
			}
			for _, port := range p.Summary.GatewayPorts {
				if !onService[int32(port.Number)] {
					t.Errorf("gateway port %d is not on the Service with the same targetPort", port.Number)
				}
			}
		})
	})

	t.Run("generated config", func(t *testing.T) {
		for _, v := range []*proxyView{sidecar, gateway} {
			t.Run(v.name+" passes istiod's own xDS validation", func(t *testing.T) {
				xdstest.ValidateListeners(t, v.sim.Listeners)
				xdstest.ValidateClusters(t, v.sim.Clusters)
				xdstest.ValidateRouteConfigurations(t, v.sim.Routes)
			})
			t.Run(v.name+" uses only upstream Envoy extensions", func(t *testing.T) {
				if foreign := foreignTypes(v.allConfig()...); len(foreign) > 0 {
					t.Errorf("types upstream Envoy does not have: %v", foreign)
				}
			})
			t.Run(v.name+" is accepted by upstream Envoy (envoy --mode validate)", func(t *testing.T) {
				envoy := requireEnvoy(t)
				out, ok := envoyValidate(t, envoy, v)
				if !ok {
					t.Errorf("envoy --mode validate rejected the %s's config:\n%s", v.name, out)
				}
			})
		}
	})
}

// undeclaredHTTP is an app's plain HTTP request to a host no one declared.
func undeclaredHTTP(port int) simulation.Call {
	return simulation.Call{Address: appAddress, Port: port, Protocol: simulation.HTTP, HostHeader: "undeclared.example",
		CallMode: simulation.CallModeOutbound}
}

// registryOnly checks that the sidecar blocks what the plan does not declare, on every kind of port it has.
func registryOnly(t *testing.T, sc scenarioCase, sidecar *proxyView) {
	httpPorts := map[int]bool{}
	tlsPorts := map[int]bool{}
	for _, h := range sc.hosts {
		switch h.kind {
		case httpApp:
			httpPorts[h.appPort] = true
		case tlsApp:
			tlsPorts[h.appPort] = true
		case tcpApp:
			t.Run(fmt.Sprintf("TCP to an undeclared address on port %d is black-holed", h.appPort), func(t *testing.T) {
				sidecar.expect(t, simulation.Call{Address: "198.51.100.7", Port: h.appPort, Protocol: simulation.TCP,
					CallMode: simulation.CallModeOutbound}, simulation.Result{ClusterMatched: "BlackHoleCluster"})
			})
		}
	}
	for port := range httpPorts {
		t.Run(fmt.Sprintf("HTTP to an undeclared host on port %d gets the direct 502", port), func(t *testing.T) {
			sidecar.expect(t, undeclaredHTTP(port), simulation.Result{
				RouteConfigMatched: fmt.Sprint(port), VirtualHostMatched: "block_all", RouteMatched: "block_all",
				StrictMatch: false,
			})
			if r := sidecar.run(t, undeclaredHTTP(port)); r.ClusterMatched != "" {
				t.Errorf("the undeclared host reached cluster %q", r.ClusterMatched)
			}
			if status := sidecar.route(t, fmt.Sprint(port), "block_all").GetDirectResponse().GetStatus(); status != 502 {
				t.Errorf("block_all answers %d, want 502", status)
			}
		})
	}
	for port := range tlsPorts {
		t.Run(fmt.Sprintf("TLS to an undeclared name on port %d is black-holed", port), func(t *testing.T) {
			sidecar.expect(t, simulation.Call{Address: appAddress, Port: port, Protocol: simulation.TCP, TLS: simulation.TLS,
				Sni: "undeclared.example", CallMode: simulation.CallModeOutbound}, simulation.Result{ClusterMatched: "BlackHoleCluster"})
		})
	}
	t.Run("TCP to an undeclared port is black-holed", func(t *testing.T) {
		sidecar.expect(t, simulation.Call{Address: "198.51.100.7", Port: 9999, Protocol: simulation.TCP,
			CallMode: simulation.CallModeOutbound}, simulation.Result{ClusterMatched: "BlackHoleCluster"})
	})
}

// TestControlIstioFilters is the control for "uses only upstream Envoy extensions": with istiod's defaults (metadata
// exchange and ALPN filters on) the same check must find Istio-only types, or it could never fail.
func TestControlIstioFilters(t *testing.T) {
	p := loadPlan(t, "seed-mtls")
	s := newServer(t, p, serverOptions{istioFilters: true})
	for _, v := range []*proxyView{
		newProxyView(t, s, "client sidecar", clientSidecar()),
		newProxyView(t, s, "egress gateway", gatewayProxy(t, p)),
	} {
		t.Run(v.name+" has Istio-only types with istiod's default filters", func(t *testing.T) {
			foreign := foreignTypes(v.allConfig()...)
			t.Logf("foreign types: %v", foreign)
			if !slices.ContainsFunc(foreign, func(url string) bool { return strings.Contains(url, "istio") }) {
				t.Errorf("found no Istio-only type with the metadata exchange and ALPN filters on: %v", foreign)
			}
		})
		t.Run(v.name+" is rejected by upstream Envoy with istiod's default filters", func(t *testing.T) {
			envoy := requireEnvoy(t)
			out, ok := envoyValidate(t, envoy, v)
			t.Logf("envoy --mode validate:\n%s", out)
			if ok {
				t.Errorf("envoy accepted config with Istio-only filters; the validation proves nothing")
			}
			// A JSON bootstrap fails on the unknown Any type; over xDS it is "Didn't find a registered implementation".
			if !regexp.MustCompile(`(could not find @type '[^']*istio|Didn't find a registered implementation for name: '[^']*istio)`).MatchString(out) {
				t.Errorf("envoy did not fail on an Istio-only extension")
			}
		})
	}
}

// Why the cluster check refuses GATEWAY_API under a narrow defaultVirtualServiceExportTo (sdk/cluster/routeVisibility.ts):
// Istio gives the VirtualServices it makes from Gateway API routes that default, so a client namespace outside it
// sees the host's ServiceEntry but not its route, and goes straight to the host. Istio's own VirtualServices carry
// their exportTo and keep routing through the gateway.
func TestNarrowVirtualServiceDefaultHidesOnlyGatewayAPIRoutes(t *testing.T) {
	call := aliyun.sidecarCall()
	for _, tc := range []struct {
		scenario, wantCluster string
	}{
		{"seed-mtls", gatewayCluster(aliyun, 80)},
		{"seed-gateway-api", "outbound|80||aliyun.com"},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			p := loadPlan(t, tc.scenario)
			s := newServer(t, p, serverOptions{defaultVirtualServiceExportTo: []string{"."}})
			if got := newProxyView(t, s, "client sidecar", clientSidecar()).run(t, call).ClusterMatched; got != tc.wantCluster {
				t.Errorf("with defaultVirtualServiceExportTo [.] the client's call went to %s, want %s", got, tc.wantCluster)
			}
		})
	}
}

// TestExistingGatewayServicePortsMatterToGatewayAPIOnly shows why the cluster check reads an existing gateway's
// Service under GATEWAY_API: istiod builds the Gateway API Gateway's listeners only on ports its Service exposes,
// while Istio's label-selected Gateway listens on the pod port either way.
func TestExistingGatewayServicePortsMatterToGatewayAPIOnly(t *testing.T) {
	for _, tc := range []struct {
		scenario  string
		wantOn443 bool
	}{
		{"existing-gateway", true},
		{"existing-gateway-gateway-api", false},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			p := *loadPlan(t, tc.scenario)
			service := p.Service.DeepCopy()
			service.Spec.Ports = slices.DeleteFunc(service.Spec.Ports, func(port corev1.ServicePort) bool { return port.Port == 443 })
			p.Kube = slices.Clone(p.Kube)
			p.Kube[slices.Index(p.Kube, runtime.Object(p.Service))] = service
			p.Service = service
			s := newServer(t, &p, serverOptions{})
			var listeners []string
			for _, l := range s.Listeners(s.SetupProxy(gatewayProxy(t, &p))) {
				listeners = append(listeners, l.Name)
			}
			if got := slices.Contains(listeners, "0.0.0.0_443"); got != tc.wantOn443 {
				t.Errorf("without port 443 on the existing gateway's Service, the gateway's listeners are %v (443 expected: %v)",
					listeners, tc.wantOn443)
			}
			if !slices.Contains(listeners, "0.0.0.0_80") {
				t.Errorf("the gateway's listeners are %v, want one on 80, which the Service exposes", listeners)
			}
		})
	}
}

// TestChartGatewayPoliciesMatchThePodPort: on a gateway whose Service sends 443 to 8443 (Istio's istio-egressgateway
// chart, existingGateway.targetPorts), the gateway listens on 8443, and the per-host policy that matches a TLS host
// by port must name 8443 there, in both routing APIs.
func TestChartGatewayPoliciesMatchThePodPort(t *testing.T) {
	for _, scenario := range []string{"chart-egress-gateway", "chart-egress-gateway-gateway-api"} {
		t.Run(scenario, func(t *testing.T) {
			p := loadPlan(t, scenario)
			s := newServer(t, p, serverOptions{})
			var tlsListener string
			var names []string
			for _, l := range s.Listeners(s.SetupProxy(gatewayProxy(t, p))) {
				names = append(names, l.Name)
				if l.Name == "0.0.0.0_8443" {
					tlsListener = protojsonString(l)
				}
			}
			if tlsListener == "" {
				t.Fatalf("the gateway's listeners are %v, want 0.0.0.0_8443", names)
			}
			if !strings.Contains(tlsListener, `"destinationPort":8443`) {
				t.Errorf("the gateway's 8443 listener has no RBAC rule on destination port 8443 (api.stripe.com's policy)")
			}
		})
	}
}
