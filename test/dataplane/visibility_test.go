package dataplane

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	meshconfig "istio.io/api/mesh/v1alpha1"
	networkingv1alpha3 "istio.io/api/networking/v1alpha3"
	networkingclient "istio.io/client-go/pkg/apis/networking/v1"
	"istio.io/istio/pilot/pkg/model"
	v3 "istio.io/istio/pilot/pkg/xds/v3"
	"istio.io/istio/pkg/workloadapi"
	"time"
)

// Istio 1.31's meshConfig.serviceEntryVisibility under the ambient data plane. ztunnel ignores a ServiceEntry's
// exportTo, so without it every ServiceEntry is visible mesh-wide: another team's ServiceEntry for a declared host
// reaches every namespace too. The setting scopes a ServiceEntry by the labels of the namespace it is written in
// (NONE, NAMESPACE or PUBLIC), not by a list of client namespaces: MeshEgress's ServiceEntries, in the waypoint's
// namespace, must resolve to PUBLIC, and who may use a host stays the waypoint's AuthorizationPolicy's job.

const teamNamespace = "team-x"

// teamServiceEntry is a ServiceEntry a team writes by hand in its own namespace for a host MeshEgress declares,
// with the address Istio's allocator gives it.
func teamServiceEntry() *networkingclient.ServiceEntry {
	return &networkingclient.ServiceEntry{
		ObjectMeta: metav1.ObjectMeta{Name: "team-route", Namespace: teamNamespace},
		Spec: networkingv1alpha3.ServiceEntry{
			Hosts:      []string{"aliyun.com"},
			Ports:      []*networkingv1alpha3.ServicePort{{Number: 80, Name: "http", Protocol: "HTTP"}},
			Resolution: networkingv1alpha3.ServiceEntry_DNS,
		},
		Status: networkingv1alpha3.ServiceEntryStatus{
			Addresses: []*networkingv1alpha3.ServiceEntryAddress{{Value: "240.240.99.1", Host: "aliyun.com"}},
		},
	}
}

func namespaceObject(name string) runtime.Object {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name,
		Labels: map[string]string{"kubernetes.io/metadata.name": name}}}
}

func visibility(v meshconfig.ServiceEntryVisibility_Visibility, publicNamespaces ...string) *meshconfig.ServiceEntryVisibility {
	out := &meshconfig.ServiceEntryVisibility{DefaultVisibility: v}
	for _, namespace := range publicNamespaces {
		out.Policies = append(out.Policies, &meshconfig.ServiceEntryVisibility_Policy{
			Visibility: meshconfig.ServiceEntryVisibility_PUBLIC,
			MatchingRules: []*meshconfig.ServiceEntryVisibility_MatchRule{{
				Matcher: &meshconfig.ServiceEntryVisibility_MatchRule_NamespaceSelector{
					NamespaceSelector: &meshconfig.LabelSelector{
						MatchLabels: map[string]string{"kubernetes.io/metadata.name": namespace},
					},
				},
			}},
		})
	}
	return out
}

// ztunnelServices is what a ztunnel receives of the ServiceEntries: "<namespace>/<hostname>" → its service.
func ztunnelServices(t *testing.T, p *exportedPlan, vis *meshconfig.ServiceEntryVisibility) map[string]*workloadapi.Service {
	t.Helper()
	s := newServer(t, p, serverOptions{
		serviceEntryVisibility: vis,
		extraKube: []runtime.Object{
			teamServiceEntry(), namespaceObject(p.Summary.GatewayNamespace), namespaceObject(teamNamespace),
		},
	})
	ads := connectLargeDeltaADS(t, s).WithType(v3.AddressType).WithNodeType(model.Ztunnel).WithTimeout(time.Minute).
		WithMetadata(model.NodeMetadata{NodeName: "node"})
	ads.Request(&discovery.DeltaDiscoveryRequest{ResourceNamesSubscribe: []string{"*"}})
	services := map[string]*workloadapi.Service{}
	for _, r := range ads.ExpectResponse().Resources {
		address := &workloadapi.Address{}
		if err := r.Resource.UnmarshalTo(address); err != nil {
			t.Fatal(err)
		}
		if svc := address.GetService(); svc != nil {
			services[svc.Namespace+"/"+svc.Hostname] = svc
		}
	}
	return services
}

func TestServiceEntryVisibility(t *testing.T) {
	p := loadPlan(t, "ambient-every-mode")
	egress := p.Summary.GatewayNamespace

	t.Run("with other namespaces' ServiceEntries scoped to their namespace, every host still binds to the waypoint for every client", func(t *testing.T) {
		services := ztunnelServices(t, p, visibility(meshconfig.ServiceEntryVisibility_NAMESPACE, egress))
		for _, h := range p.Summary.Hosts {
			svc := services[egress+"/"+h.Host]
			if svc == nil {
				t.Errorf("%s: ztunnel has no service for it", h.Host)
				continue
			}
			if svc.Visibility != workloadapi.Service_PUBLIC || svc.Waypoint == nil {
				t.Errorf("%s: visibility %v, waypoint %v; want PUBLIC, bound to the waypoint", h.Host, svc.Visibility, svc.Waypoint)
			}
		}
		if team := services[teamNamespace+"/aliyun.com"]; team == nil || team.Visibility != workloadapi.Service_NAMESPACE {
			t.Errorf("the team's own ServiceEntry for aliyun.com: %v, want visible in %s only", team, teamNamespace)
		}
	})
	t.Run("without it, a team's ServiceEntry for a declared host is visible mesh-wide (ztunnel ignores exportTo)", func(t *testing.T) {
		services := ztunnelServices(t, p, nil)
		if team := services[teamNamespace+"/aliyun.com"]; team == nil || team.Visibility != workloadapi.Service_PUBLIC {
			t.Errorf("the team's own ServiceEntry for aliyun.com: %v, want PUBLIC", team)
		}
	})
	t.Run("if the waypoint's namespace resolves to NAMESPACE, the hosts are hidden from every other namespace", func(t *testing.T) {
		services := ztunnelServices(t, p, visibility(meshconfig.ServiceEntryVisibility_NAMESPACE))
		for _, h := range p.Summary.Hosts {
			if svc := services[egress+"/"+h.Host]; svc == nil || svc.Visibility != workloadapi.Service_NAMESPACE {
				t.Errorf("%s: %v, want visible in %s only", h.Host, svc, egress)
			}
		}
	})
}
