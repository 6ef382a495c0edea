package dataplane

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"

	"istio.io/istio/pilot/pkg/features"
	"istio.io/istio/pilot/pkg/model"
	pilotxds "istio.io/istio/pilot/pkg/xds"
	v3 "istio.io/istio/pilot/pkg/xds/v3"
	"istio.io/istio/pilot/test/xds"
	"istio.io/istio/pilot/test/xdstest"
	"istio.io/istio/pkg/test"
)

// The mesh-side cost of the plans bench/meshSide.ts writes to $MESH_EGRESS_MESHSIDE_DIR: what each proxy receives
// from Istio's own discovery server (clusters, listeners, routes, endpoints, serialized bytes) and how long istiod
// takes to build it. bench/run.sh runs it at full sizes and writes BENCHMARKS.md; npm test runs the smoke sizes and
// checks the one exact promise, least visibility: a client in a namespace allowed no host gets exactly what it
// gets in a mesh without MeshEgress.

// proxyCost is one proxy's generated config, measured.
type proxyCost struct {
	Plan      string `json:"plan"`
	Proxy     string `json:"proxy"`
	Hosts     int    `json:"hosts"`
	Clusters  int    `json:"clusters"`
	Listeners int    `json:"listeners"`
	Routes    int    `json:"routes"`
	// VirtualHosts counts the virtual hosts of every route configuration.
	VirtualHosts int `json:"virtualHosts"`
	Endpoints    int `json:"endpoints"`
	// Addresses counts the services and workloads a ztunnel receives (ambient).
	Addresses int `json:"addresses,omitempty"`
	// Bytes is the serialized size of everything the proxy receives: CDS, LDS, RDS and EDS.
	Bytes int `json:"bytes"`
	// BuildMillis is the time to build the proxy's CDS, LDS and RDS (first build, cold xDS cache).
	BuildMillis  float64 `json:"buildMillis"`
	clusterNames []string
}

func measure(t *testing.T, s *xds.FakeDiscoveryServer, plan, proxyName string, hosts int, p *model.Proxy) proxyCost {
	t.Helper()
	p = s.SetupProxy(p)
	started := time.Now()
	clusters := s.Clusters(p)
	listeners := s.Listeners(p)
	routes := s.Routes(p)
	built := time.Since(started)
	endpoints := s.Endpoints(p)
	cost := proxyCost{Plan: plan, Proxy: proxyName, Hosts: hosts, Clusters: len(clusters), Listeners: len(listeners),
		Routes: len(routes), Endpoints: len(endpoints), BuildMillis: float64(built.Microseconds()) / 1000}
	for _, c := range clusters {
		cost.Bytes += proto.Size(c)
		cost.clusterNames = append(cost.clusterNames, c.Name)
	}
	for _, l := range listeners {
		cost.Bytes += proto.Size(l)
	}
	for _, r := range routes {
		cost.Bytes += proto.Size(r)
		cost.VirtualHosts += len(r.VirtualHosts)
	}
	for _, e := range endpoints {
		cost.Bytes += proto.Size(e)
	}
	sort.Strings(cost.clusterNames)
	return cost
}

// measureZtunnel is what a ztunnel receives: every service and workload address of the mesh (a wildcard
// subscription, as ztunnel makes), their serialized size, and the time to the first response.
func measureZtunnel(t *testing.T, s *xds.FakeDiscoveryServer, plan string, hosts int) proxyCost {
	t.Helper()
	ads := connectLargeDeltaADS(t, s).WithType(v3.AddressType).WithNodeType(model.Ztunnel).WithTimeout(time.Minute).
		WithMetadata(model.NodeMetadata{NodeName: "node"})
	started := time.Now()
	ads.Request(&discovery.DeltaDiscoveryRequest{ResourceNamesSubscribe: []string{"*"}})
	response := ads.ExpectResponse()
	cost := proxyCost{Plan: plan, Proxy: "ztunnel", Hosts: hosts, Addresses: len(response.Resources),
		BuildMillis: float64(time.Since(started).Microseconds()) / 1000}
	for _, r := range response.Resources {
		cost.Bytes += proto.Size(r.Resource)
	}
	return cost
}

// slowestWaypoint measures every waypoint of a plan whose hosts are spread across waypoints and returns the one
// istiod took longest to build.
func slowestWaypoint(t *testing.T, s *xds.FakeDiscoveryServer, p *exportedPlan, variant string, hosts int) proxyCost {
	namespaces := waypointNamespaces(p)
	var slowest proxyCost
	for i := range namespaces {
		proxy := waypointProxy(p, i)
		cost := measure(t, s, variant, fmt.Sprintf("egress waypoint (slowest of %d)", len(namespaces)), hosts, proxy)
		xdstest.ValidateClusters(t, s.Clusters(s.SetupProxy(proxy)))
		if i == 0 || cost.BuildMillis > slowest.BuildMillis {
			slowest = cost
		}
	}
	return slowest
}

// connectLargeDeltaADS is the fake server's delta ADS connection with a receive limit fit for thousands of hosts:
// ztunnel's first response at 5,000 hosts is over gRPC's default 4 MiB (real ztunnels accept far more).
func connectLargeDeltaADS(t *testing.T, s *xds.FakeDiscoveryServer) *pilotxds.DeltaAdsTest {
	t.Helper()
	conn, err := grpc.NewClient("passthrough:///buffcon",
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(func(context.Context, string) (net.Conn, error) { return s.BufListener.Dial() }))
	if err != nil {
		t.Fatal(err)
	}
	test.SetForTest(t, &features.DeltaXds, true)
	return pilotxds.NewDeltaXdsTest(t, conn, func(conn *grpc.ClientConn) (pilotxds.DeltaDiscoveryClient, error) {
		return discovery.NewAggregatedDiscoveryServiceClient(conn).
			DeltaAggregatedResources(context.Background(), grpc.MaxCallRecvMsgSize(256<<20))
	})
}

// meshSidePlans lists the plans of the directory by size: "none", then per size mesh, scoped and baseline.
func meshSidePlans(t *testing.T, dir string) (sizes []int) {
	files, err := filepath.Glob(filepath.Join(dir, "mesh-*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		var n int
		fmt.Sscanf(filepath.Base(f), "mesh-%d.yaml", &n)
		sizes = append(sizes, n)
	}
	slices.Sort(sizes)
	return sizes
}

func TestMeshSideCost(t *testing.T) {
	dir := os.Getenv("MESH_EGRESS_MESHSIDE_DIR")
	if dir == "" {
		t.Skip("no mesh-side plans: bench/meshSide.ts writes them to $MESH_EGRESS_MESHSIDE_DIR (bench/run.sh, npm test)")
	}
	t.Setenv("MESH_EGRESS_PLAN_DIR", dir)
	var costs []proxyCost
	none := loadPlan(t, "none")
	noneServer := newServer(t, none, serverOptions{})
	plain := measure(t, noneServer, "none", "client sidecar", 0, clientSidecarIn("bystander"))
	costs = append(costs, plain)

	for _, n := range meshSidePlans(t, dir) {
		for _, variant := range []string{"mesh", "gatewayapi", "ambient", "ambient-sharded", "scoped", "baseline"} {
			name := fmt.Sprintf("%s-%d", variant, n)
			if _, err := os.Stat(filepath.Join(dir, name+".yaml")); err != nil {
				continue // bench/meshSide.ts writes no baseline for the largest sizes
			}
			p := loadPlan(t, name)
			s := newServer(t, p, serverOptions{})
			switch variant {
			case "ambient":
				costs = append(costs,
					measureZtunnel(t, s, variant, n),
					measure(t, s, variant, "egress waypoint", n, waypointProxy(p, 0)))
				xdstest.ValidateClusters(t, s.Clusters(s.SetupProxy(waypointProxy(p, 0))))
				continue
			case "ambient-sharded":
				costs = append(costs, slowestWaypoint(t, s, p, variant, n))
				continue
			case "mesh", "gatewayapi", "baseline":
				costs = append(costs,
					measure(t, s, variant, "client sidecar (every host)", n, clientSidecarIn("default")),
					measure(t, s, variant, "egress gateway", n, gatewayProxy(t, p)))
			case "scoped":
				allowed := measure(t, s, variant, "client sidecar (every host, from rules)", n, clientSidecarIn("allowed"))
				bystander := measure(t, s, variant, "client sidecar (no allowed host)", n, clientSidecarIn("bystander"))
				costs = append(costs, allowed, bystander)
				t.Run(fmt.Sprintf("a client allowed no host gets what a mesh without MeshEgress sends (%d hosts)", n), func(t *testing.T) {
					if !slices.Equal(bystander.clusterNames, plain.clusterNames) {
						t.Errorf("clusters %v, want those of a mesh without MeshEgress: %v", bystander.clusterNames, plain.clusterNames)
					}
					if bystander.Listeners != plain.Listeners || bystander.Routes != plain.Routes {
						t.Errorf("%d listeners and %d routes, want %d and %d", bystander.Listeners, bystander.Routes,
							plain.Listeners, plain.Routes)
					}
				})
			}
			xdstest.ValidateClusters(t, s.Clusters(s.SetupProxy(clientSidecarIn("default"))))
		}
	}
	var lines []string
	for _, c := range costs {
		line, _ := json.Marshal(c)
		lines = append(lines, string(line))
		t.Logf("%-10s %-42s N=%-5d clusters %-6d listeners %-5d routes %-4d vhosts %-5d addresses %-5d bytes %-10d build %.1f ms",
			c.Plan, c.Proxy, c.Hosts, c.Clusters, c.Listeners, c.Routes, c.VirtualHosts, c.Addresses, c.Bytes, c.BuildMillis)
	}
	if out := os.Getenv("MESH_EGRESS_MESHSIDE_OUT"); out != "" {
		if err := os.WriteFile(out, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
