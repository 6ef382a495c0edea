package dataplane

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	internallistener "github.com/envoyproxy/go-control-plane/envoy/extensions/bootstrap/internal_listener/v3"
	"github.com/miekg/dns"
	"golang.org/x/net/http2"
	"google.golang.org/protobuf/encoding/protojson"
)

// Packets through a real waypoint: upstream Envoy runs the egress waypoint's configuration exactly as Istio's control
// plane generates it for the plan, but for what a cluster would supply around it — its workload certificate and the
// trust roots inline instead of from pilot-agent's SDS, each host's DNS name answered by a local server, Istio's
// telemetry-only peer-metadata filter removed (upstream Envoy lacks it). A Go client speaks HBONE to it as ztunnel does:
// HTTP/2 CONNECT over mutual TLS with a workload certificate whose SPIFFE identity decides `from`, to the address and
// port the client's app called.

// pool is the CA as a trust pool; keyPair one of its certificates for Go's TLS.
func (p *testPKI) pool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.ca)
	return pool
}

func keyPair(cert, key []byte) tls.Certificate {
	pair, err := tls.X509KeyPair(cert, key)
	if err != nil {
		panic(err) // the test's own PKI made both
	}
	return pair
}

// proxySecrets are what pilot-agent's SDS would serve a proxy of ServiceAccount istio-system/<account>: its workload
// certificate and the mesh's roots; the system trust store and the `client-credential` Secret (its client certificate
// and CA), both from the test's external CA.
func proxySecrets(t *testing.T, mesh, external *testPKI, account string) []map[string]any {
	cert, key := mesh.issue(t, "spiffe://cluster.local/ns/istio-system/sa/"+account, x509.ExtKeyUsageServerAuth,
		account+".istio-system.svc")
	credentialCert, credentialKey := external.issue(t, "", x509.ExtKeyUsageClientAuth, "egress-client")
	certificate := func(name string, cert, key []byte) map[string]any {
		return map[string]any{"name": name, "tlsCertificate": map[string]any{
			"certificateChain": map[string]any{"inlineString": string(cert)},
			"privateKey":       map[string]any{"inlineString": string(key)}}}
	}
	roots := func(name string, ca *testPKI) map[string]any {
		return map[string]any{"name": name, "validationContext": map[string]any{
			"trustedCa": map[string]any{"inlineString": string(ca.caPEM)}}}
	}
	return []map[string]any{
		certificate("default", cert, key),
		roots("ROOTCA", mesh),
		roots("file-root:/etc/ssl/certs/ca-certificates.crt", external),
		certificate("kubernetes://client-credential", credentialCert, credentialKey),
		roots("kubernetes://client-credential-cacert", external),
	}
}

// upstream is a local server standing in for an external host: HTTP (plain or TLS, the client certificate
// required or not) answering "upstream=<name> host=<Host>".
func upstream(t *testing.T, name string, tlsConfig *tls.Config) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if tlsConfig != nil {
		l = tls.NewListener(l, tlsConfig)
	}
	serveUpstream(t, name, l)
	return l.Addr().(*net.TCPAddr).Port
}

// serveUpstream answers every request on l with "upstream=<name> host=<Host>[ client=<certificate CN>]".
func serveUpstream(t *testing.T, name string, l net.Listener) {
	server := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		client := ""
		if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
			client = " client=" + r.TLS.PeerCertificates[0].Subject.CommonName
		}
		fmt.Fprintf(w, "upstream=%s host=%s%s", name, r.Host, client)
	})}
	go server.Serve(l)
	t.Cleanup(func() { server.Close() })
}

// walkJSON calls visit on every object of a decoded JSON document.
func walkJSON(node any, visit func(map[string]any)) {
	switch value := node.(type) {
	case map[string]any:
		visit(value)
		for _, child := range value {
			walkJSON(child, visit)
		}
	case []any:
		for _, child := range value {
			walkJSON(child, visit)
		}
	}
}

// runWaypoint starts upstream Envoy on the waypoint's generated configuration; returns the HBONE address. Its
// dynamic forward proxies (wildcards) ask the DNS server on `dnsPort` instead of the system resolver.
func runWaypoint(t *testing.T, v *proxyView, secrets []map[string]any, endpoints map[string]int, dnsPort int) string {
	t.Helper()
	return runProxy(t, v, secrets, endpoints, dnsPort, 15008, freePort(t))
}

// runProxy starts upstream Envoy on a proxy's generated configuration, its listener on `port` (any address) moved to
// port `local` of loopback, which it returns as an address; each host name or address of `endpoints` is answered on
// loopback at the port given, and dynamic forward proxies ask the DNS server on `dnsPort`.
func runProxy(t *testing.T, v *proxyView, secrets []map[string]any, endpoints map[string]int, dnsPort, port, local int) string {
	t.Helper()
	envoy := requireEnvoy(t)
	b := withoutPeerMetadata(t, staticBootstrap(t, v))
	b.BootstrapExtensions = append(b.BootstrapExtensions, &core.TypedExtensionConfig{
		Name:        "envoy.bootstrap.internal_listener",
		TypedConfig: mustAny(t, &internallistener.InternalListener{}),
	})
	b.DynamicResources = nil
	raw, err := protojson.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	walkJSON(doc, func(object map[string]any) {
		// Secrets come from the bootstrap instead of pilot-agent's SDS server.
		delete(object, "sdsConfig")
		if cache, ok := object["dnsCacheConfig"].(map[string]any); ok {
			cache["typedDnsResolverConfig"] = map[string]any{
				"name": "envoy.network.dns_resolver.cares",
				"typedConfig": map[string]any{
					"@type": "type.googleapis.com/envoy.extensions.network.dns_resolver.cares.v3.CaresDnsResolverConfig",
					"resolvers": []any{map[string]any{"socketAddress": map[string]any{
						"address": "127.0.0.1", "portValue": dnsPort, "protocol": "UDP"}}},
				},
			}
		}
		// The listener on loopback; each host's name and port answered by its local server.
		if address, ok := object["socketAddress"].(map[string]any); ok {
			switch {
			case address["portValue"] == float64(port) && (address["address"] == "0.0.0.0" || address["address"] == "::"):
				address["address"], address["portValue"] = "127.0.0.1", local
			case endpoints[fmt.Sprint(address["address"])] != 0:
				address["portValue"] = endpoints[fmt.Sprint(address["address"])]
				address["address"] = "127.0.0.1"
			}
		}
	})
	resources := doc["staticResources"].(map[string]any)
	resources["secrets"] = secrets
	var clusters []any
	for _, c := range resources["clusters"].([]any) {
		// No pilot-agent: drop its placeholders.
		if name := c.(map[string]any)["name"]; name != "sds-grpc" && name != "xds-grpc" {
			clusters = append(clusters, c)
		}
	}
	resources["clusters"] = clusters
	admin := freePort(t)
	doc["admin"] = map[string]any{"address": map[string]any{"socketAddress": map[string]any{"address": "127.0.0.1", "portValue": admin}}}
	dir := t.TempDir()
	config := filepath.Join(dir, "waypoint.json")
	out, _ := json.Marshal(doc)
	if err := os.WriteFile(config, out, 0o644); err != nil {
		t.Fatal(err)
	}
	log, _ := os.Create(filepath.Join(dir, "envoy.log"))
	cmd := exec.Command(envoy, "-c", config, "--disable-hot-restart", "--concurrency", "1", "--log-level", "warn")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/ready", admin))
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.TrimSpace(string(body)) == "LIVE" {
				break
			}
		}
		if time.Now().After(deadline) {
			logged, _ := os.ReadFile(filepath.Join(dir, "envoy.log"))
			t.Fatalf("%s's Envoy did not become ready:\n%s", v.name, logged)
		}
	}
	return fmt.Sprintf("127.0.0.1:%d", local)
}

// dnsServer answers A queries for the names given (name → IPv4), NXDOMAIN for any other; returns its UDP port.
func dnsServer(t *testing.T, names map[string]string) int {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server := &dns.Server{PacketConn: conn, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, query *dns.Msg) {
		answer := new(dns.Msg)
		answer.SetReply(query)
		for _, q := range query.Question {
			address, ok := names[strings.TrimSuffix(q.Name, ".")]
			if ok && q.Qtype == dns.TypeA {
				answer.Answer = append(answer.Answer, &dns.A{
					Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 30},
					A:   net.ParseIP(address),
				})
			} else if !ok {
				answer.Rcode = dns.RcodeNameError
			}
		}
		w.WriteMsg(answer)
	})}
	go server.ActivateAndServe()
	t.Cleanup(func() { server.Shutdown() })
	return conn.LocalAddr().(*net.UDPAddr).Port
}

// upstreamOnPort80 is upstream() on <address>:80, where a wildcard's names are reached (needs root).
func upstreamOnPort80(t *testing.T, name, address string) bool {
	l, err := net.Listen("tcp", address+":80")
	if err != nil {
		return false
	}
	serveUpstream(t, name, l)
	return true
}

// tunnel is one HBONE stream: what the client writes goes to `target` through the waypoint.
type tunnel struct {
	io.Reader
	io.WriteCloser
	status int
	// conn is the TLS connection the stream rides on, closed with it.
	conn net.Conn
}

func (c *tunnel) Close() error                     { c.WriteCloser.Close(); return c.conn.Close() }
func (c *tunnel) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *tunnel) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *tunnel) SetDeadline(time.Time) error      { return nil }
func (c *tunnel) SetReadDeadline(time.Time) error  { return nil }
func (c *tunnel) SetWriteDeadline(time.Time) error { return nil }

// hbone opens an HBONE tunnel to target ("<address>:<port>") as a workload holding `identity`.
func hbone(t *testing.T, waypoint string, mesh *testPKI, identity tls.Certificate, target string) (*tunnel, error) {
	t.Helper()
	conn, err := tls.Dial("tcp", waypoint, &tls.Config{
		Certificates: []tls.Certificate{identity}, RootCAs: mesh.pool(), NextProtos: []string{"h2"},
		ServerName: "egress-waypoint.istio-system.svc",
	})
	if err != nil {
		return nil, err
	}
	client, err := (&http2.Transport{}).NewClientConn(conn)
	if err != nil {
		conn.Close()
		return nil, err
	}
	reader, writer := io.Pipe()
	resp, err := client.RoundTrip(&http.Request{
		Method: http.MethodConnect, URL: &url.URL{Host: target}, Host: target, Header: http.Header{},
		Body: reader, ContentLength: -1,
	})
	if err != nil {
		conn.Close()
		return nil, err
	}
	return &tunnel{Reader: resp.Body, WriteCloser: writer, status: resp.StatusCode, conn: conn}, nil
}

// httpOver sends GET / with this Host header through a tunnel (or a TLS session inside it); returns status and body.
func httpOver(conn io.ReadWriter, host string) (int, string, error) {
	if _, err := fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", host); err != nil {
		return 0, "", err
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), nil
}

func TestWaypointCarriesPackets(t *testing.T) {
	p := loadPlan(t, "ambient-every-mode")
	s := newServer(t, p, serverOptions{})
	v := newProxyView(t, s, "egress waypoint", waypointProxy(p, 0))

	mesh, external := newTestPKI(t), newTestPKI(t)
	secrets := proxySecrets(t, mesh, external, "egress-waypoint")
	serverTLS := func(host string, clientCert bool) *tls.Config {
		config := &tls.Config{Certificates: []tls.Certificate{keyPair(external.issue(t, "", x509.ExtKeyUsageServerAuth, host))}}
		if clientCert {
			config.ClientAuth, config.ClientCAs = tls.RequireAndVerifyClientCert, external.pool()
		}
		return config
	}
	endpoints := map[string]int{
		"aliyun.com":       upstream(t, "aliyun.com", nil),
		"example.org":      upstream(t, "example.org", nil),
		"api.stripe.com":   upstream(t, "api.stripe.com", serverTLS("api.stripe.com", false)),
		"edition.cnn.com":  upstream(t, "edition.cnn.com", serverTLS("edition.cnn.com", false)),
		"mtls.example.com": upstream(t, "mtls.example.com", serverTLS("mtls.example.com", true)),
	}
	for _, h := range p.Summary.Hosts {
		if h.CallAddress != "" {
			endpoints[strings.Split(h.UpstreamEndpoints[0], ":")[0]] = echoServer(t)
		}
	}
	// Two names under the wildcard *.example.net, each answered by a server of its own.
	wildcard := map[string]string{"a.example.net": "127.0.0.2", "b.example.net": "127.0.0.3"}
	wildcardServed := true
	for name, address := range wildcard {
		wildcardServed = wildcardServed && upstreamOnPort80(t, name, address)
	}
	waypoint := runWaypoint(t, v, secrets, endpoints, dnsServer(t, wildcard))
	sleep := keyPair(mesh.issue(t, "spiffe://cluster.local/ns/default/sa/sleep", x509.ExtKeyUsageClientAuth))
	intruder := keyPair(mesh.issue(t, "spiffe://cluster.local/ns/default/sa/intruder", x509.ExtKeyUsageClientAuth))
	allocated := allocatedAddresses(p)
	target := func(host string, port int) string { return fmt.Sprintf("%s:%d", allocated[host], port) }

	get := func(t *testing.T, identity tls.Certificate, to, host string) (int, string) {
		t.Helper()
		conn, err := hbone(t, waypoint, mesh, identity, to)
		if err != nil {
			t.Fatalf("HBONE to %s: %v", to, err)
		}
		defer conn.Close()
		if conn.status != http.StatusOK {
			return conn.status, ""
		}
		status, body, err := httpOver(conn, host)
		if err != nil {
			return 0, err.Error()
		}
		return status, body
	}
	t.Run("HTTP: the host's address and port reach its server, Host header intact", func(t *testing.T) {
		status, body := get(t, intruder, target("aliyun.com", 80), "aliyun.com")
		if status != 200 || body != "upstream=aliyun.com host=aliyun.com" {
			t.Errorf("got %d %q", status, body)
		}
	})
	t.Run("HTTP: another Host header on the host's address is refused (403)", func(t *testing.T) {
		if status, body := get(t, sleep, target("aliyun.com", 80), "evil.example"); status != 403 {
			t.Errorf("got %d %q, want 403", status, body)
		}
	})
	t.Run("from: the allowed identity passes, another is refused (403)", func(t *testing.T) {
		if status, body := get(t, sleep, target("example.org", 8080), "example.org"); status != 200 ||
			body != "upstream=example.org host=example.org" {
			t.Errorf("default/sleep: got %d %q", status, body)
		}
		if status, body := get(t, intruder, target("example.org", 8080), "example.org"); status != 403 {
			t.Errorf("default/intruder: got %d %q, want 403", status, body)
		}
	})
	t.Run("TLS origination: the app's plain HTTP leaves as TLS verified against the host's certificate", func(t *testing.T) {
		status, body := get(t, sleep, target("edition.cnn.com", 80), "edition.cnn.com")
		if status != 200 || body != "upstream=edition.cnn.com host=edition.cnn.com" {
			t.Errorf("got %d %q", status, body)
		}
	})
	t.Run("mutual TLS origination: the waypoint presents the credential's client certificate", func(t *testing.T) {
		status, body := get(t, sleep, target("mtls.example.com", 80), "mtls.example.com")
		if status != 200 || body != "upstream=mtls.example.com host=mtls.example.com client=egress-client" {
			t.Errorf("got %d %q", status, body)
		}
	})
	t.Run("TLS passthrough: the client's own TLS session reaches the host's server", func(t *testing.T) {
		conn, err := hbone(t, waypoint, mesh, sleep, target("api.stripe.com", 443))
		if err != nil || conn.status != 200 {
			t.Fatalf("HBONE: %v %v", err, conn)
		}
		defer conn.Close()
		session := tls.Client(conn, &tls.Config{ServerName: "api.stripe.com", RootCAs: external.pool()})
		status, body, err := httpOver(session, "api.stripe.com")
		if err != nil || status != 200 || body != "upstream=api.stripe.com host=api.stripe.com" {
			t.Errorf("got %d %q %v", status, body, err)
		}
	})
	t.Run("TCP: bytes to the host's address and port come back from its server", func(t *testing.T) {
		for _, h := range p.Summary.Hosts {
			if h.CallAddress == "" {
				continue
			}
			conn, err := hbone(t, waypoint, mesh, sleep, fmt.Sprintf("%s:%d", h.CallAddress, h.Port))
			if err != nil || conn.status != 200 {
				t.Fatalf("HBONE: %v %v", err, conn)
			}
			fmt.Fprint(conn, "ping\n")
			line, err := bufio.NewReader(conn).ReadString('\n')
			conn.Close()
			if line != "ping\n" {
				t.Errorf("%s: echo %q, %v", h.Host, line, err)
			}
		}
	})
	t.Run("HTTP wildcard: each name is resolved by the waypoint and reaches its own server; a name outside gets 403", func(t *testing.T) {
		if !wildcardServed {
			t.Skip("the wildcard's servers listen on port 80 of 127.0.0.2 and 127.0.0.3, which needs root")
		}
		for name := range wildcard {
			if status, body := get(t, sleep, target("*.example.net", 80), name); status != 200 ||
				body != fmt.Sprintf("upstream=%s host=%s", name, name) {
				t.Errorf("%s: got %d %q", name, status, body)
			}
		}
		for _, outside := range []string{"example.net.attacker.example", "a.example.org"} {
			if status, body := get(t, sleep, target("*.example.net", 80), outside); status != 403 {
				t.Errorf("%s: got %d %q, want 403", outside, status, body)
			}
		}
	})
	t.Run("an address no host declares is not served", func(t *testing.T) {
		status, body := get(t, sleep, "240.240.250.250:80", "aliyun.com")
		if status == 200 && strings.HasPrefix(body, "upstream=") {
			t.Errorf("an undeclared address reached %q", body)
		}
	})
}
