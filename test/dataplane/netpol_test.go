package dataplane

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/mattfenwick/cyclonus/pkg/matcher"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

// The antiBypass NetworkPolicies, evaluated by an independent engine: cyclonus's policy matcher (the semantics of
// Kubernetes NetworkPolicy) on the plan's objects as they are. From a pod of each locked namespace, a matrix of
// destinations (cluster DNS, istiod, the egress point's pods, other pods of the Istio namespace such as an ingress
// gateway, the namespace itself, the allowed namespaces, any other namespace, addresses outside the cluster) on the
// ports that matter is allowed exactly when the arguments say: DNS on 53, istiod on its xDS port, the gateway's (or
// waypoint's) pods on their ports, the namespace itself and allowNamespaces. Namespaces not listed are untouched.

const controlPlanePort = 15012

// netPeer is a destination of the matrix: a pod (namespace and labels) or an address outside the cluster.
type netPeer struct {
	what      string
	namespace string
	labels    map[string]string
	ip        string
	ports     []netPort
}

type netPort struct {
	number   int
	protocol corev1.Protocol
}

func tcp(ports ...int) []netPort {
	out := make([]netPort, 0, len(ports))
	for _, port := range ports {
		out = append(out, netPort{port, corev1.ProtocolTCP})
	}
	return out
}

// antiBypassIntent is what the arguments let a locked namespace's pods reach.
type antiBypassIntent struct {
	summary planSummary
}

func (a antiBypassIntent) egressPointPorts() []int {
	ports := []int{}
	for _, port := range a.summary.GatewayPorts {
		ports = append(ports, port.TargetPort)
	}
	return ports
}

func selects(selector, labels map[string]string) bool {
	for key, value := range selector {
		if labels[key] != value {
			return false
		}
	}
	return true
}

// allowed says, from the arguments alone, whether a pod of namespace `from` may reach `to` on `port`.
func (a antiBypassIntent) allowed(from string, to netPeer, port netPort) bool {
	ab := a.summary.AntiBypass
	if !slices.Contains(ab.Namespaces, from) {
		return true
	}
	if to.namespace == "" {
		return false
	}
	tcp := port.protocol == corev1.ProtocolTCP
	switch {
	case to.namespace == from, slices.Contains(ab.AllowNamespaces, to.namespace):
		return true
	case to.namespace == ab.DNSNamespace && port.number == 53:
		return true
	case to.namespace == ab.IstioNamespace && selects(ab.ControlPlaneSelector, to.labels):
		if tcp && port.number == controlPlanePort {
			return true
		}
	}
	return slices.Contains(a.egressPointNamespaces(), to.namespace) && selects(a.summary.Gateway.Selector, to.labels) &&
		tcp && slices.Contains(a.egressPointPorts(), port.number)
}

// egressPointNamespaces are where the egress point's pods are: the gateway's namespace, or every waypoint's.
func (a antiBypassIntent) egressPointNamespaces() []string {
	if len(a.summary.WaypointNamespaces) > 0 {
		return a.summary.WaypointNamespaces
	}
	return []string{a.summary.GatewayNamespace}
}

// destinations is the matrix's other end, for a source in namespace `from`.
func (a antiBypassIntent) destinations(from string) []netPeer {
	ab := a.summary.AntiBypass
	withProbe := func(labels map[string]string, role string) map[string]string {
		out := maps.Clone(labels)
		out["mesh-egress.io/probe"] = role
		return out
	}
	adminPorts := tcp(15000, 15020, 15021, 15090)
	peers := []netPeer{
		{what: "cluster DNS", namespace: ab.DNSNamespace, labels: map[string]string{"k8s-app": "kube-dns"},
			ports: append([]netPort{{53, corev1.ProtocolUDP}, {53, corev1.ProtocolTCP}}, tcp(9153, 8080)...)},
		{what: "istiod", namespace: ab.IstioNamespace, labels: withProbe(ab.ControlPlaneSelector, "istiod"),
			ports: tcp(controlPlanePort, 15010, 15014, 15017, 443, 8080)},

		{what: "an ingress gateway in the Istio namespace", namespace: ab.IstioNamespace,
			labels: map[string]string{"istio": "ingressgateway", "app": "istio-ingressgateway"},
			ports:  append(tcp(80, 443, 8080, 8443, controlPlanePort), adminPorts...)},
		{what: "another pod of the Istio namespace", namespace: ab.IstioNamespace,
			labels: map[string]string{"mesh-egress.io/probe": "other"}, ports: tcp(80, 8080, controlPlanePort, 15008)},

		{what: "a pod of its own namespace", namespace: from, labels: map[string]string{"app": "peer"}, ports: tcp(8080, 5432)},
		{what: "a pod of a namespace nothing names", namespace: "mesh-egress-probe-elsewhere",
			labels: map[string]string{"app": "peer"}, ports: append(tcp(8080, 53), netPort{53, corev1.ProtocolUDP})},
		{what: "an internet address", ip: "93.184.216.34", ports: tcp(80, 443)},
		{what: "a public DNS resolver", ip: "1.1.1.1", ports: []netPort{{53, corev1.ProtocolUDP}, {53, corev1.ProtocolTCP}}},
		{what: "the cloud metadata service", ip: "169.254.169.254", ports: tcp(80)},
	}
	for _, namespace := range a.egressPointNamespaces() {
		peers = append(peers,
			netPeer{what: "the egress point's pods", namespace: namespace,
				labels: withProbe(a.summary.Gateway.Selector, "egress"), ports: append(tcp(a.egressPointPorts()...), adminPorts...)},
			netPeer{what: "another pod of the egress point's namespace", namespace: namespace,
				labels: map[string]string{"mesh-egress.io/probe": "other"}, ports: tcp(append(a.egressPointPorts(), 8080)...)})
	}
	for _, namespace := range ab.AllowNamespaces {
		peers = append(peers, netPeer{what: "a pod of an allowed namespace", namespace: namespace,
			labels: map[string]string{"app": "peer"}, ports: tcp(8080)})
	}
	return peers
}

func podPeer(namespace string, labels map[string]string, ip string) *matcher.TrafficPeer {
	return &matcher.TrafficPeer{IP: ip, Internal: &matcher.InternalPeer{
		Namespace:       namespace,
		NamespaceLabels: map[string]string{"kubernetes.io/metadata.name": namespace},
		PodLabels:       labels,
	}}
}

func (p *exportedPlan) networkPolicies() []*networkingv1.NetworkPolicy {
	var policies []*networkingv1.NetworkPolicy
	for _, obj := range p.Kube {
		if policy, ok := obj.(*networkingv1.NetworkPolicy); ok {
			policies = append(policies, policy)
		}
	}
	return policies
}

// checkAntiBypass evaluates every (source namespace, destination, port) of the matrix; returns how many.
func checkAntiBypass(t *testing.T, p *exportedPlan) int {
	intent := antiBypassIntent{p.Summary}
	engine := matcher.BuildNetworkPolicies(true, p.networkPolicies())
	sources := append(slices.Clone(p.Summary.AntiBypass.Namespaces), "mesh-egress-probe-unlisted")
	checked := 0
	for _, from := range sources {
		source := podPeer(from, map[string]string{"app": "client"}, "10.1.0.5")
		for i, to := range intent.destinations(from) {
			destination := &matcher.TrafficPeer{IP: to.ip}
			if to.namespace != "" {
				destination = podPeer(to.namespace, to.labels, fmt.Sprintf("10.2.0.%d", i+1))
			}
			for _, port := range to.ports {
				got := engine.IsTrafficAllowed(&matcher.Traffic{
					Source: source, Destination: destination, ResolvedPort: port.number, Protocol: port.protocol,
				}).IsAllowed()
				if want := intent.allowed(from, to, port); got != want {
					t.Errorf("from a pod of %s to %s (%s%s) on %d/%s: the NetworkPolicies allow it %v, the arguments %v",
						from, to.what, to.namespace, to.ip, port.number, port.protocol, got, want)
				}
				checked++
			}
		}
	}
	return checked
}

func TestAntiBypassNetworkPolicies(t *testing.T) {
	plans, probes := map[string]int{}, 0
	for _, name := range invariantPlans(t) {
		p := loadPlan(t, name)
		if p.Summary.AntiBypass == nil {
			if len(p.networkPolicies()) > 0 {
				t.Errorf("%s: NetworkPolicies without antiBypass", name)
			}
			continue
		}
		t.Run(name, func(t *testing.T) {
			probes += checkAntiBypass(t, p)
		})
		plans[p.Summary.Dataplane]++
	}
	for _, dataplane := range []string{"SIDECAR", "AMBIENT"} {
		if plans[dataplane] == 0 {
			t.Errorf("no %s plan has antiBypass: that data plane's policies were not checked", dataplane)
		}
	}
	t.Logf("plans with antiBypass by data plane %v, %d (namespace, destination, port) probes evaluated by cyclonus",
		plans, probes)
}
