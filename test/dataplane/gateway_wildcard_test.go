package dataplane

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"

	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	"istio.io/istio/pilot/pkg/simulation"
)

// Wildcards resolved name by name at the egress gateway (the sidecar data plane, a wildcard without upstreamHost):
// Istio's control plane gives the gateway a dynamic forward proxy cluster for the wildcard's DYNAMIC_DNS alias, and
// nothing of the kind to client sidecars; upstream Envoy on that gateway configuration then resolves each request's
// Host at the gateway and connects to that name, while a Host outside the wildcard reaches nothing.

const dynamicForwardProxy = "envoy.clusters.dynamic_forward_proxy"

func isDynamicForwardProxy(c *cluster.Cluster) bool {
	return c.GetClusterType().GetName() == dynamicForwardProxy
}

// perNameWildcards are the plan's wildcards without one upstream server.
func perNameWildcards(p *exportedPlan) []hostIntent {
	var wildcards []hostIntent
	for _, h := range p.Summary.Hosts {
		if h.ResolvedPerName {
			wildcards = append(wildcards, h)
		}
	}
	return wildcards
}

// gatewayHop is the gateway's side of a host's hop, read from a client sidecar of a namespace that may use it.
func gatewayHop(t *testing.T, h hostIntent, sidecar *proxyView, host string) simulation.Call {
	t.Helper()
	hop, ok := hopOf(t, h, sidecar)
	if !ok {
		t.FailNow()
	}
	hop.HostHeader = host
	return hop
}

func TestWildcardsResolvedAtTheGateway(t *testing.T) {
	for _, scenario := range []string{"wildcards-per-name-mtls", "wildcards-per-name-plain"} {
		t.Run(scenario, func(t *testing.T) {
			p := loadPlan(t, scenario)
			s := newServer(t, p, serverOptions{})
			gateway := newProxyView(t, s, "egress gateway", gatewayProxy(t, p))
			wildcards := perNameWildcards(p)
			if len(wildcards) == 0 {
				t.Fatal("the scenario has no wildcard resolved per name")
			}
			t.Run("client sidecars get no dynamic forward proxy: no client resolves or connects to a name itself", func(t *testing.T) {
				for _, namespace := range p.Summary.ProbeNamespaces {
					sidecar := newProxyView(t, s, "client sidecar in "+namespace, clientSidecarIn(namespace))
					for _, c := range sidecar.sim.Clusters {
						if isDynamicForwardProxy(c) {
							t.Errorf("client sidecar in %s has the dynamic forward proxy %s", namespace, c.Name)
						}
					}
				}
			})
			for _, h := range wildcards {
				sidecar := newProxyView(t, s, "client sidecar in "+h.ClientNamespace, clientSidecarIn(h.ClientNamespace))
				domain := strings.TrimPrefix(h.Host, "*.")
				t.Run(h.Host+": two names under the wildcard reach the gateway's dynamic forward proxy", func(t *testing.T) {
					for _, name := range []string{"a." + domain, "b.c." + domain} {
						r := gateway.sim.Run(gatewayHop(t, h, sidecar, name))
						if c := gateway.sim.Clusters; r.ClusterMatched == "" || !isDynamicForwardProxy(gateway.cluster(t, r.ClusterMatched)) {
							t.Errorf("%s: the gateway sent it to %q (error %v), want a dynamic forward proxy (%d clusters)",
								name, r.ClusterMatched, r.Error, len(c))
						}
					}
				})
				t.Run(h.Host+": the gateway's route takes a Host with no port or the app's port, never another", func(t *testing.T) {
					// Istio's simulator ignores header matchers: read the route's :authority matcher and run it (RE2,
					// whole value, as Envoy does).
					r := gateway.sim.Run(gatewayHop(t, h, sidecar, "a."+domain))
					var authority *regexp.Regexp
					for _, vh := range gateway.sim.Routes {
						for _, v := range vh.GetVirtualHosts() {
							for _, rt := range v.GetRoutes() {
								if rt.GetRoute().GetCluster() != r.ClusterMatched {
									continue
								}
								for _, m := range rt.GetMatch().GetHeaders() {
									if m.GetName() == ":authority" {
										authority = regexp.MustCompile("^(?:" + m.GetStringMatch().GetSafeRegex().GetRegex() + ")$")
									}
								}
							}
						}
					}
					if authority == nil {
						t.Fatalf("the gateway's route to %s has no :authority matcher", r.ClusterMatched)
					}
					taken := []string{"a." + domain}
					refused := []string{"a." + domain + ":8443", "a." + domain + ":080", "a." + domain + ":", "[::1]:80"}
					if h.Origination == nil && h.Port == 80 {
						taken = append(taken, "a."+domain+":80")
					} else if h.Origination == nil {
						taken, refused = []string{fmt.Sprintf("a.%s:%d", domain, h.Port)}, append(refused, "a."+domain)
					} else {
						refused = append(refused, "a."+domain+":80")
					}
					for _, host := range taken {
						if !authority.MatchString(host) {
							t.Errorf("Host %s is refused by %s", host, authority)
						}
					}
					for _, host := range refused {
						if authority.MatchString(host) {
							t.Errorf("Host %s is taken by %s", host, authority)
						}
					}
				})
				t.Run(h.Host+": a Host outside the wildcard on its hop reaches no cluster", func(t *testing.T) {
					for _, spoofed := range []string{"evil.example", domain, "a." + domain + ".evil.example", "a-" + domain} {
						r := gateway.sim.Run(gatewayHop(t, h, sidecar, spoofed))
						if r.ClusterMatched != "" {
							t.Errorf("Host %s on the hop of %s went to %s", spoofed, h.Host, r.ClusterMatched)
						}
					}
				})
			}
		})
	}
}

// hopClient sends one HTTP request through the gateway's mutual-TLS hop as a client sidecar would: a workload
// certificate of the mesh CA, the hop's SNI; plain HTTP on the plain hop (sni ""). Returns status and body.
func hopClient(t *testing.T, gateway string, mesh *testPKI, identity *tls.Certificate, sni, host string) (int, string) {
	t.Helper()
	var conn net.Conn
	var err error
	if identity == nil {
		conn, err = net.Dial("tcp", gateway)
	} else {
		conn, err = tls.Dial("tcp", gateway, &tls.Config{
			Certificates: []tls.Certificate{*identity}, RootCAs: mesh.pool(), ServerName: sni,
			NextProtos: []string{"http/1.1"},
			// The gateway's certificate names its SPIFFE identity, not the hop's SNI (a sidecar checks the identity).
			InsecureSkipVerify: true,
			VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
				cert, err := x509.ParseCertificate(raw[0])
				if err != nil {
					return err
				}
				_, err = cert.Verify(x509.VerifyOptions{Roots: mesh.pool()})
				return err
			},
		})
	}
	if err != nil {
		t.Fatalf("hop to %s: %v", gateway, err)
	}
	defer conn.Close()
	status, body, err := httpOver(conn, host)
	if err != nil {
		return 0, err.Error()
	}
	return status, body
}

func TestWildcardsResolvedAtTheGatewayCarryPackets(t *testing.T) {
	for _, scenario := range []struct {
		name   string
		mutual bool
	}{{"wildcards-per-name-mtls", true}, {"wildcards-per-name-plain", false}} {
		t.Run(scenario.name, func(t *testing.T) {
			p := loadPlan(t, scenario.name)
			s := newServer(t, p, serverOptions{})
			gateway := newProxyView(t, s, "egress gateway", gatewayProxy(t, p))
			mesh, external := newTestPKI(t), newTestPKI(t)
			secrets := proxySecrets(t, mesh, external, "egress-gateway")
			// Each name under a wildcard resolves (through the test DNS server) to a loopback address of its own, where
			// a server answers on the port the gateway must use: 80 for HTTP, 443 for origination (needs root).
			names := map[string]string{
				"a.example.net": "127.0.0.2", "b.example.net": "127.0.0.3", "a.team.example": "127.0.0.4",
				"a.secure.example": "127.0.0.5", "b.secure.example": "127.0.0.6", "a.mtls.example": "127.0.0.7",
			}
			serveOn := func(address string, port int, name string, config *tls.Config) bool {
				l, err := net.Listen("tcp", fmt.Sprintf("%s:%d", address, port))
				if err != nil {
					return false
				}
				if config != nil {
					l = tls.NewListener(l, config)
				}
				serveUpstream(t, name, l)
				return true
			}
			serverTLS := func(certName string, clientCert bool) *tls.Config {
				config := &tls.Config{Certificates: []tls.Certificate{keyPair(external.issue(t, "", x509.ExtKeyUsageServerAuth, certName))}}
				if clientCert {
					config.ClientAuth, config.ClientCAs = tls.RequireAndVerifyClientCert, external.pool()
				}
				return config
			}
			served := serveOn("127.0.0.2", 80, "a.example.net", nil) &&
				serveOn("127.0.0.3", 80, "b.example.net", nil) &&
				serveOn("127.0.0.4", 80, "a.team.example", nil) &&
				serveOn("127.0.0.5", 443, "a.secure.example", serverTLS("a.secure.example", false)) &&
				// A server whose certificate names another host: the gateway must refuse it for b.secure.example.
				serveOn("127.0.0.6", 443, "b.secure.example", serverTLS("impostor.example", false)) &&
				serveOn("127.0.0.7", 443, "a.mtls.example", serverTLS("a.mtls.example", true)) &&
				// A port nobody declared, on a name under the wildcard: a Host naming it must not reach it.
				serveOn("127.0.0.2", 8443, "trap", nil)
			if !served {
				t.Skip("the names' servers listen on ports 80 and 443 of 127.0.0.2-7, which needs root")
			}
			podPort := 0
			for _, l := range gateway.sim.Listeners {
				if address := l.GetAddress().GetSocketAddress(); address.GetAddress() == "0.0.0.0" {
					podPort = int(address.GetPortValue())
				}
			}
			endpoints := map[string]int{"aliyun.com": upstream(t, "aliyun.com", nil)}
			// On its own port: the gateway's authorization policies name the pod port.
			address := runProxy(t, gateway, secrets, endpoints, dnsServer(t, names), podPort, podPort)
			sleep := keyPair(mesh.issue(t, "spiffe://cluster.local/ns/default/sa/sleep", x509.ExtKeyUsageClientAuth))
			intruder := keyPair(mesh.issue(t, "spiffe://cluster.local/ns/default/sa/intruder", x509.ExtKeyUsageClientAuth))
			call := func(identity *tls.Certificate, wildcard, host string) (int, string) {
				if !scenario.mutual {
					return hopClient(t, address, mesh, nil, "", host)
				}
				return hopClient(t, address, mesh, identity, "egress."+strings.TrimPrefix(wildcard, "*."), host)
			}
			expect := func(t *testing.T, identity *tls.Certificate, wildcard, host string, status int, body string) {
				t.Helper()
				gotStatus, gotBody := call(identity, wildcard, host)
				if gotStatus != status || (body != "" && gotBody != body) || (body == "" && strings.HasPrefix(gotBody, "upstream=")) {
					t.Errorf("Host %s through %s: got %d %q, want %d %q", host, wildcard, gotStatus, gotBody, status, body)
				}
			}
			t.Run("HTTP: two names under one wildcard reach their two servers, each resolved at the gateway", func(t *testing.T) {
				expect(t, &sleep, "*.example.net", "a.example.net", 200, "upstream=a.example.net host=a.example.net")
				expect(t, &sleep, "*.example.net", "b.example.net", 200, "upstream=b.example.net host=b.example.net")
			})
			t.Run("HTTP: a Host outside the wildcard gets 404 and reaches nothing", func(t *testing.T) {
				spoofed := []string{"evil.example", "example.net", "a.example.net.evil.example"}
				if scenario.mutual {
					// On the plain hop every HTTP host shares one chain, where aliyun.com's Host reaches aliyun.com.
					spoofed = append(spoofed, "aliyun.com")
				}
				for _, spoofed := range spoofed {
					expect(t, &sleep, "*.example.net", spoofed, 404, "")
				}
			})
			t.Run("HTTP: a Host naming another port never reaches that port", func(t *testing.T) {
				status, body := call(&sleep, "*.example.net", "a.example.net:8443")
				if strings.HasPrefix(body, "upstream=trap") {
					t.Errorf("Host a.example.net:8443 reached port 8443: %d %q", status, body)
				}
			})
			t.Run("TLS origination: each name's own TLS, its certificate checked for that name", func(t *testing.T) {
				expect(t, &sleep, "*.secure.example", "a.secure.example", 200, "upstream=a.secure.example host=a.secure.example")
				// The server of b.secure.example presents a certificate for another name: no request reaches it.
				expect(t, &sleep, "*.secure.example", "b.secure.example", 503, "")
			})
			t.Run("mutual TLS origination: the credential's client certificate, per name", func(t *testing.T) {
				expect(t, &sleep, "*.mtls.example", "a.mtls.example", 200,
					"upstream=a.mtls.example host=a.mtls.example client=egress-client")
			})
			if scenario.mutual {
				t.Run("from: the wildcard's sources pass, another identity gets 403", func(t *testing.T) {
					expect(t, &sleep, "*.team.example", "a.team.example", 200, "upstream=a.team.example host=a.team.example")
					expect(t, &intruder, "*.team.example", "a.team.example", http.StatusForbidden, "")
				})
			}
		})
	}
}
