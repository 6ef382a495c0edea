package dataplane

// The RBAC engine (rbac_test.go) against the real thing: the RBAC filters istiod generates for each host's filter
// chain on the gateway of a shared-gateway composition run in upstream Envoy, behind TLS that verifies (but, like
// Istio's permissive chains, does not require) a client certificate from a test CA; callers with mesh identities
// (the certificate's URI SAN) and without one connect with the host's SNI, and Envoy's verdict — the echo or the
// HTTP 200 coming back, or the connection closed / 403 — must be the engine's for every caller.

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	bootstrap "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpoint "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	rbacpb "github.com/envoyproxy/go-control-plane/envoy/config/rbac/v3"
	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	rbachttp "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/rbac/v3"
	routerpb "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	tlsinspector "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/listener/tls_inspector/v3"
	hcm "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	rbacnet "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/rbac/v3"
	tcpproxy "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/tcp_proxy/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"istio.io/istio/pilot/pkg/simulation"
)

// testPKI is a CA and the server certificate Envoy presents.
type testPKI struct {
	ca         *x509.Certificate
	caKey      *ecdsa.PrivateKey
	caPEM      []byte
	serverCert []byte
	serverKey  []byte
}

func newTestPKI(t *testing.T) *testPKI {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mesh-egress test CA"}, IsCA: true,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(der)
	p := &testPKI{ca: ca, caKey: caKey, caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
	p.serverCert, p.serverKey = p.issue(t, "", x509.ExtKeyUsageServerAuth)
	return p
}

// issue signs a certificate whose URI SAN is `spiffeID` (none when ""), for `dnsNames` (default gateway.test; the
// first is also its common name).
func (p *testPKI) issue(t *testing.T, spiffeID string, usage x509.ExtKeyUsage, dnsNames ...string) ([]byte, []byte) {
	if len(dnsNames) == 0 {
		dnsNames = []string{"gateway.test"}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: dnsNames[0]},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{usage}, DNSNames: dnsNames,
	}
	if spiffeID != "" {
		u, err := url.Parse(spiffeID)
		if err != nil {
			t.Fatal(err)
		}
		template.URIs = []*url.URL{u}
	}
	der, err := x509.CreateCertificate(rand.Reader, template, p.ca, &key.PublicKey, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
}

// remapPorts rewrites every destination_port `from` in the rules to `to` (Envoy listens on a free local port).
func remapPorts(rules *rbacpb.RBAC, from, to uint32) *rbacpb.RBAC {
	out := proto.Clone(rules).(*rbacpb.RBAC)
	var walk func(p *rbacpb.Permission)
	walk = func(p *rbacpb.Permission) {
		switch r := p.GetRule().(type) {
		case *rbacpb.Permission_DestinationPort:
			if r.DestinationPort == from {
				r.DestinationPort = to
			}
		case *rbacpb.Permission_AndRules:
			for _, q := range r.AndRules.GetRules() {
				walk(q)
			}
		case *rbacpb.Permission_OrRules:
			for _, q := range r.OrRules.GetRules() {
				walk(q)
			}
		case *rbacpb.Permission_NotRule:
			walk(r.NotRule)
		}
	}
	for _, policy := range out.GetPolicies() {
		for _, p := range policy.GetPermissions() {
			walk(p)
		}
	}
	return out
}

func typed(t *testing.T, m proto.Message) *anypb.Any {
	a, err := anypb.New(m)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// echoServer echoes every connection's bytes back; it stands behind Envoy's tcp_proxy.
func echoServer(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); io.Copy(c, c) }()
		}
	}()
	return l.Addr().(*net.TCPAddr).Port
}

// envoyWithRBAC starts Envoy with one TLS listener on `port` applying `rules` (network RBAC before tcp_proxy to an
// echo server, or HTTP RBAC before a direct 200 response), and waits until it listens.
func envoyWithRBAC(t *testing.T, pki *testPKI, rules []*rbacpb.RBAC, http bool, port int) {
	envoy := requireEnvoy(t)
	inline := func(b []byte) *core.DataSource {
		return &core.DataSource{Specifier: &core.DataSource_InlineBytes{InlineBytes: b}}
	}
	downstream := &tlsv3.DownstreamTlsContext{
		RequireClientCertificate: wrapperspb.Bool(false),
		CommonTlsContext: &tlsv3.CommonTlsContext{
			TlsCertificates: []*tlsv3.TlsCertificate{{CertificateChain: inline(pki.serverCert), PrivateKey: inline(pki.serverKey)}},
			ValidationContextType: &tlsv3.CommonTlsContext_ValidationContext{
				ValidationContext: &tlsv3.CertificateValidationContext{TrustedCa: inline(pki.caPEM)},
			},
		},
	}
	var filters []*listener.Filter
	var clusters []*cluster.Cluster
	if http {
		var httpFilters []*hcm.HttpFilter
		for i, r := range rules {
			httpFilters = append(httpFilters, &hcm.HttpFilter{Name: fmt.Sprintf("rbac-%d", i),
				ConfigType: &hcm.HttpFilter_TypedConfig{TypedConfig: typed(t, &rbachttp.RBAC{Rules: r})}})
		}
		httpFilters = append(httpFilters, &hcm.HttpFilter{Name: "envoy.filters.http.router",
			ConfigType: &hcm.HttpFilter_TypedConfig{TypedConfig: typed(t, &routerpb.Router{})}})
		manager := &hcm.HttpConnectionManager{
			StatPrefix: "rbac", HttpFilters: httpFilters,
			RouteSpecifier: &hcm.HttpConnectionManager_RouteConfig{RouteConfig: &route.RouteConfiguration{
				VirtualHosts: []*route.VirtualHost{{Name: "all", Domains: []string{"*"}, Routes: []*route.Route{{
					Match:  &route.RouteMatch{PathSpecifier: &route.RouteMatch_Prefix{Prefix: "/"}},
					Action: &route.Route_DirectResponse{DirectResponse: &route.DirectResponseAction{Status: 200}},
				}}}},
			}},
		}
		filters = append(filters, &listener.Filter{Name: "envoy.filters.network.http_connection_manager",
			ConfigType: &listener.Filter_TypedConfig{TypedConfig: typed(t, manager)}})
	} else {
		for i, r := range rules {
			filters = append(filters, &listener.Filter{Name: fmt.Sprintf("rbac-%d", i),
				ConfigType: &listener.Filter_TypedConfig{TypedConfig: typed(t, &rbacnet.RBAC{StatPrefix: "rbac", Rules: r})}})
		}
		echo := echoServer(t)
		clusters = append(clusters, &cluster.Cluster{
			Name: "echo", ClusterDiscoveryType: &cluster.Cluster_Type{Type: cluster.Cluster_STATIC},
			LoadAssignment: &endpoint.ClusterLoadAssignment{ClusterName: "echo", Endpoints: []*endpoint.LocalityLbEndpoints{{
				LbEndpoints: []*endpoint.LbEndpoint{{HostIdentifier: &endpoint.LbEndpoint_Endpoint{Endpoint: &endpoint.Endpoint{
					Address: socketAddress("127.0.0.1", echo)}}}},
			}}},
		})
		filters = append(filters, &listener.Filter{Name: "envoy.filters.network.tcp_proxy",
			ConfigType: &listener.Filter_TypedConfig{TypedConfig: typed(t, &tcpproxy.TcpProxy{
				StatPrefix: "echo", ClusterSpecifier: &tcpproxy.TcpProxy_Cluster{Cluster: "echo"}})}})
	}
	config := &bootstrap.Bootstrap{
		StaticResources: &bootstrap.Bootstrap_StaticResources{
			Clusters: clusters,
			Listeners: []*listener.Listener{{
				Name: "rbac", Address: socketAddress("127.0.0.1", port),
				ListenerFilters: []*listener.ListenerFilter{{Name: "envoy.filters.listener.tls_inspector",
					ConfigType: &listener.ListenerFilter_TypedConfig{TypedConfig: typed(t, &tlsinspector.TlsInspector{})}}},
				FilterChains: []*listener.FilterChain{{
					Filters: filters,
					TransportSocket: &core.TransportSocket{Name: "envoy.transport_sockets.tls",
						ConfigType: &core.TransportSocket_TypedConfig{TypedConfig: typed(t, downstream)}},
				}},
			}},
		},
	}
	data, err := protojson.Marshal(config)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "bootstrap.json")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(envoy, "-c", file, "--base-id", fmt.Sprint(port), "--disable-hot-restart",
		"--concurrency", "1", "--log-level", "warn")
	var logs bytesWriter
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(20 * time.Second); ; {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("envoy did not listen on %d: %s", port, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func socketAddress(ip string, port int) *core.Address {
	return &core.Address{Address: &core.Address_SocketAddress{SocketAddress: &core.SocketAddress{
		Address: ip, PortSpecifier: &core.SocketAddress_PortValue{PortValue: uint32(port)}}}}
}

type bytesWriter struct{ data []byte }

func (w *bytesWriter) Write(p []byte) (int, error) { w.data = append(w.data, p...); return len(p), nil }
func (w *bytesWriter) String() string              { return string(w.data) }

// envoyAdmits connects as `principal` ("" for no client certificate) with SNI `sni`, and says whether Envoy let the
// connection (or the HTTP request for `authority`) through.
func envoyAdmits(t *testing.T, pki *testPKI, port int, principal, sni, authority string) bool {
	config := &tls.Config{ServerName: sni, InsecureSkipVerify: true}
	if principal != "" {
		certPEM, keyPEM := pki.issue(t, principal, x509.ExtKeyUsageClientAuth)
		cert, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			t.Fatal(err)
		}
		config.Certificates = []tls.Certificate{cert}
	}
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", fmt.Sprintf("127.0.0.1:%d", port), config)
	if err != nil {
		return false
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	if authority != "" {
		fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", authority)
		response, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			return false
		}
		defer response.Body.Close()
		return response.StatusCode == 200
	}
	if _, err := conn.Write([]byte("ping")); err != nil {
		return false
	}
	reply := make([]byte, 4)
	_, err = io.ReadFull(conn, reply)
	return err == nil && string(reply) == "ping"
}

// TestRBACEngineAgreesWithEnvoy: for every host of the shared-gateway compositions and every caller of its matrix,
// upstream Envoy running the RBAC istiod generated for the host's chain decides as the engine does.
func TestRBACEngineAgreesWithEnvoy(t *testing.T) {
	requireEnvoy(t)
	pki := newTestPKI(t)
	for _, scenario := range []string{"platform-and-teams", "teams-beside-hand-written-routes"} {
		t.Run(scenario, func(t *testing.T) {
			p := loadPlan(t, scenario)
			s := newServer(t, p, serverOptions{})
			gateway := newProxyView(t, s, "egress gateway", gatewayProxy(t, p))
			sidecars := map[string]*proxyView{}
			checked := 0
			for _, h := range p.Summary.Hosts {
				if h.ClientNamespace == "" {
					continue
				}
				sidecar, ok := sidecars[h.ClientNamespace]
				if !ok {
					sidecar = newProxyView(t, s, "client sidecar in "+h.ClientNamespace, clientSidecarIn(h.ClientNamespace))
					sidecars[h.ClientNamespace] = sidecar
				}
				hop, ok := hopOf(t, h, sidecar)
				if !ok || hop.TLS != simulation.MTLS {
					continue
				}
				r := gateway.sim.Run(hop)
				rules := gateway.chainRBAC(t, r.ListenerMatched, r.FilterChainMatched, hop.Sni)
				if len(rules) == 0 {
					continue
				}
				// Envoy listens on a free local port: the rules' pod port becomes it, for Envoy and the engine alike.
				envoyPort := freePort(t)
				var remapped []*rbacpb.RBAC
				for _, rule := range rules {
					remapped = append(remapped, remapPorts(rule, uint32(hop.Port), uint32(envoyPort)))
				}
				envoyWithRBAC(t, pki, remapped, hop.Protocol == simulation.HTTP, envoyPort)
				for _, c := range callersOf(h) {
					engine, err := decide(remapped, rbacRequest{PeerPrincipal: c.Principal, Port: uint32(envoyPort),
						SNI: hop.Sni, Authority: hop.HostHeader})
					if err != nil {
						t.Fatal(err)
					}
					if got := envoyAdmits(t, pki, envoyPort, c.Principal, hop.Sni, hop.HostHeader); got != engine.Allowed {
						t.Errorf("%s, %s: Envoy admits %v, the engine %v (%s)", h.Host, c.Name, got, engine.Allowed, engine.Reason)
					}
					checked++
				}
			}
			if checked < 10 {
				t.Errorf("only %d (host, caller) pairs compared with Envoy", checked)
			}
			t.Logf("%d (host, caller) pairs: Envoy and the engine agree", checked)
		})
	}
}
