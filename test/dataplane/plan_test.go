package dataplane

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	kubelib "istio.io/istio/pkg/kube"
)

// hostIntent is what export-plan.ts states, from the arguments, that a routed host must do.
type hostIntent struct {
	Host        string `json:"host"`
	AppProtocol string `json:"appProtocol"`
	Port        int    `json:"port"`
	// CallName is the name the app calls (for a wildcard, a name under it).
	CallName string `json:"callName"`
	// CallAddress is the address a TCP app connects to ("" for any address).
	CallAddress string `json:"callAddress"`
	// ResolvedPerName: a wildcard whose every name the egress point resolves and connects to itself (no endpoints).
	ResolvedPerName bool `json:"resolvedPerName"`
	// UpstreamEndpoints are the "<address>:<port>" the gateway must connect to for the host.
	UpstreamEndpoints []string `json:"upstreamEndpoints"`
	Origination       *struct {
		SNI               string `json:"sni"`
		ClientCertificate string `json:"clientCertificate"`
	} `json:"origination"`
	// ClientNamespace is a namespace whose clients may use the host; "" when none can.
	ClientNamespace string `json:"clientNamespace"`
	// Sources are the host's `from` entries; nil when every workload may use it.
	Sources []allowedSource `json:"sources"`
}

// planSummary is the first document export-plan.ts prints: what the plan says outside its manifests.
type planSummary struct {
	ComponentName string `json:"componentName"`
	// Args are the component's arguments as JSON, to reproduce a generated plan.
	Args    string `json:"args"`
	Gateway struct {
		ServiceName string            `json:"serviceName"`
		Selector    map[string]string `json:"selector"`
		Deployed    bool              `json:"deployed"`
	} `json:"gateway"`
	HopTLS string `json:"hopTls"`
	// Dataplane is SIDECAR or AMBIENT.
	Dataplane string `json:"dataplane"`
	Policy    struct {
		Mode       string   `json:"mode"`
		Target     string   `json:"target"`
		Namespaces []string `json:"namespaces"`
	} `json:"policy"`
	ExportTo         []string     `json:"exportTo"`
	Hosts            []hostIntent `json:"hosts"`
	ProbeNamespaces  []string     `json:"probeNamespaces"`
	GatewayHost      string       `json:"gatewayHost"`
	GatewayNamespace string       `json:"gatewayNamespace"`
	// WaypointNamespaces are the namespaces of the component's waypoints (ambient; the first is GatewayNamespace).
	WaypointNamespaces []string `json:"waypointNamespaces"`
	GatewayPorts       []struct {
		Number     int    `json:"number"`
		Name       string `json:"name"`
		TargetPort int    `json:"targetPort"`
	} `json:"gatewayPorts"`
	// AntiBypass is the arguments' antiBypass, defaulted, with the Istio namespace; nil without one.
	AntiBypass *struct {
		Namespaces           []string          `json:"namespaces"`
		AllowNamespaces      []string          `json:"allowNamespaces"`
		DNSNamespace         string            `json:"dnsNamespace"`
		ControlPlaneSelector map[string]string `json:"controlPlaneSelector"`
		IstioNamespace       string            `json:"istioNamespace"`
	} `json:"antiBypass"`
	PolicyMode     string `json:"policyMode"`
	MeshConfigEdit *struct {
		Namespace     string `json:"namespace"`
		ConfigMapName string `json:"configMapName"`
		Key           string `json:"key"`
		Mode          string `json:"mode"`
	} `json:"meshConfigEdit"`
	HostObjects map[string]struct {
		Namespace       string `json:"namespace"`
		ServiceEntry    string `json:"serviceEntry"`
		OriginationRule string `json:"originationRule"`
		GatewayPort     int    `json:"gatewayPort"`
	} `json:"hostObjects"`
}

// exportedPlan is one scenario's plan, split the way the fake discovery server takes it.
type istioDoc struct {
	Kind string
	YAML string
}

type exportedPlan struct {
	Scenario string
	Summary  planSummary
	// Istio holds every Istio object of the plan, as YAML documents fed to the config store as they are.
	Istio []istioDoc
	// Kube holds every other planned manifest (ServiceAccount, Deployment, Service, PDB, RBAC, ...).
	Kube []runtime.Object
	// Keys lists "<Kind>/<namespace>/<name>" of every planned manifest, in plan order.
	Keys       []string
	Deployment *appsv1.Deployment
	// Service is the gateway's Service (for an existing gateway, the one the test stands in for it).
	Service *corev1.Service
	// Services are every Service of the plan, the gateway's among them.
	Services []*corev1.Service
	// ServiceEntries are the plan's ServiceEntries, parsed, for the no-bypass check.
	ServiceEntries []serviceEntry
	// GatewayAPI is true when the plan routes with Gateway API kinds (routingApi GATEWAY_API).
	GatewayAPI bool
}

// serviceEntry is what the no-bypass check needs of a planned ServiceEntry.
type serviceEntry struct {
	Name      string
	Namespace string
	Hosts     []string
	Addresses []string
	ExportTo  []string
	Ports     []struct {
		Number   int    `json:"number"`
		Protocol string `json:"protocol"`
	}
}

var (
	planCacheMu sync.Mutex
	planCache   = map[string]*exportedPlan{}
)

// repoRoot is two levels up from this package (test/dataplane).
func repoRoot(t testing.TB) string {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Clean(filepath.Join(wd, "..", ".."))
}

// exportYAML returns the component's plan for a scenario, from $MESH_EGRESS_PLAN_DIR or by running export-plan.ts.
func exportYAML(t testing.TB, scenario string) []byte {
	if dir := os.Getenv("MESH_EGRESS_PLAN_DIR"); dir != "" {
		data, err := os.ReadFile(filepath.Join(dir, scenario+".yaml"))
		if err != nil {
			t.Fatalf("reading the exported plan: %v", err)
		}
		return data
	}
	root := repoRoot(t)
	node := filepath.Join(root, "node_modules", ".bin", "node")
	if _, err := os.Stat(node); err != nil {
		node = "node"
	}
	cmd := exec.Command(node, "-r", "ts-node/register", filepath.Join("test", "dataplane", "export-plan.ts"), scenario)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "TS_NODE_TRANSPILE_ONLY=true")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("running export-plan.ts %s: %v\n%s", scenario, err, stderr.String())
	}
	return out
}

// loadPlan parses (once per scenario) the exported plan.
func loadPlan(t testing.TB, scenario string) *exportedPlan {
	t.Helper()
	planCacheMu.Lock()
	defer planCacheMu.Unlock()
	if p, ok := planCache[scenario]; ok {
		return p
	}
	p, err := parsePlan(scenario, exportYAML(t, scenario))
	if err != nil {
		t.Fatalf("scenario %s: %v", scenario, err)
	}
	planCache[scenario] = p
	return p
}

func parsePlan(scenario string, data []byte) (*exportedPlan, error) {
	p := &exportedPlan{Scenario: scenario}
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	sawSummary := false
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name      string `json:"name"`
				Namespace string `json:"namespace"`
			} `json:"metadata"`
			Spec json.RawMessage `json:"spec"`
		}
		if err := yaml.Unmarshal(doc, &head); err != nil {
			return nil, fmt.Errorf("document %q: %v", doc, err)
		}
		if head.Kind == "PlanSummary" {
			if err := json.Unmarshal(head.Spec, &p.Summary); err != nil {
				return nil, fmt.Errorf("PlanSummary: %v", err)
			}
			sawSummary = true
			continue
		}
		p.Keys = append(p.Keys, fmt.Sprintf("%s/%s/%s", head.Kind, head.Metadata.Namespace, head.Metadata.Name))
		group := strings.SplitN(head.APIVersion, "/", 2)[0]
		p.GatewayAPI = p.GatewayAPI || group == "gateway.networking.k8s.io"
		if strings.HasSuffix(group, "istio.io") {
			p.Istio = append(p.Istio, istioDoc{Kind: head.Kind, YAML: string(doc)})
			if head.Kind == "ServiceEntry" {
				se := serviceEntry{Name: head.Metadata.Name, Namespace: head.Metadata.Namespace}
				if err := json.Unmarshal(head.Spec, &se); err != nil {
					return nil, fmt.Errorf("ServiceEntry %s: %v", head.Metadata.Name, err)
				}
				p.ServiceEntries = append(p.ServiceEntries, se)
			}
			continue
		}
		obj, _, err := kubelib.IstioCodec.UniversalDeserializer().Decode(doc, nil, nil)
		if err != nil {
			return nil, fmt.Errorf("decoding %s %s: %v", head.Kind, head.Metadata.Name, err)
		}
		switch o := obj.(type) {
		case *appsv1.Deployment:
			p.Deployment = o
		case *corev1.Service:
			p.Services = append(p.Services, o)
		}
		p.Kube = append(p.Kube, obj)
	}
	if !sawSummary {
		return nil, errors.New("no PlanSummary document")
	}
	if p.GatewayAPI {
		// istiod's Gateway API controller reads the ServiceEntries that routes attach to from the API server.
		for _, d := range p.Istio {
			if d.Kind != "ServiceEntry" {
				continue
			}
			obj, _, err := kubelib.IstioCodec.UniversalDeserializer().Decode([]byte(d.YAML), nil, nil)
			if err != nil {
				return nil, fmt.Errorf("decoding a ServiceEntry for the Gateway API controller: %v", err)
			}
			p.Kube = append(p.Kube, obj)
		}
	}
	for _, s := range p.Services {
		if s.Name == p.Summary.Gateway.ServiceName && s.Namespace == p.Summary.GatewayNamespace {
			p.Service = s
		}
	}
	if p.Service == nil && !p.Summary.Gateway.Deployed {
		// An existing gateway: stand in for its Service, with the ports the plan says it must expose.
		p.Service = existingGatewayService(p)
		p.Kube = append(p.Kube, p.Service)
		p.Services = append(p.Services, p.Service)
	}
	return p, nil
}

// istioYAML joins the plan's Istio objects into one multi-document string, leaving out the given kinds.
func (p *exportedPlan) istioYAML(without ...string) string {
	var docs []string
	for _, d := range p.Istio {
		if !slices.Contains(without, d.Kind) {
			docs = append(docs, d.YAML)
		}
	}
	return strings.Join(docs, "\n---\n")
}
