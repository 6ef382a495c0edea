package dataplane

import (
	"testing"

	"istio.io/istio/pilot/pkg/simulation"
	"istio.io/istio/pilot/test/xdstest"
)

func TestExplore(t *testing.T) {
	for _, sc := range []string{"seed-mtls", "seed-plain", "every-mode-mtls"} {
		t.Run(sc, func(t *testing.T) {
			p := loadPlan(t, sc)
			s := newServer(t, p)
			for _, px := range []struct{ name string; sim *simulation.Simulation }{
				{"sidecar", simulation.NewSimulation(t, s, s.SetupProxy(clientSidecar()))},
				{"gateway", simulation.NewSimulation(t, s, s.SetupProxy(gatewayProxy(t, p)))},
			} {
				t.Logf("== %s %s clusters: %v", sc, px.name, xdstest.MapKeys(xdstest.ExtractClusters(px.sim.Clusters)))
				t.Logf("== %s %s listeners: %v", sc, px.name, xdstest.ExtractListenerNames(px.sim.Listeners))
				for _, l := range px.sim.Listeners { if px.name == "gateway" { t.Log(xdstest.Dump(t, l)) } }
				for _, r := range px.sim.Routes { t.Log(xdstest.Dump(t, r)) }
			}
		})
	}
}
