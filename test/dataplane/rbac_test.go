package dataplane

// An evaluator of Envoy's RBAC filters (envoy.config.rbac.v3) for the subset istiod emits for AuthorizationPolicies,
// so that who may reach what through the gateway is decided, not read as text: Istio's simulator does not evaluate
// RBAC, and no maintained Go engine takes raw Envoy RBAC with SNI (grpc-go's is internal and matches no SNI). The
// semantics follow Envoy's source/extensions/filters/common/rbac/matchers.cc; anything outside the subset is an
// error, so a policy shape the engine does not know fails the test instead of being guessed. TestRBACEngineAgrees
// (envoy_test.go) holds it against the real Envoy.

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	rbacpb "github.com/envoyproxy/go-control-plane/envoy/config/rbac/v3"
	routepb "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	matcherpb "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
)

// rbacRequest is what the gateway's RBAC filters can see of one connection (a TCP chain) or request (an HTTP chain).
type rbacRequest struct {
	// PeerPrincipal is the caller's mesh identity (its certificate's URI SAN, e.g. spiffe://cluster.local/ns/x/sa/y),
	// "" for a caller without a verified client certificate.
	PeerPrincipal string
	// Port is the pod port the gateway accepted the connection on.
	Port uint32
	// SNI is the TLS server name the caller sent (Envoy lower-cases it).
	SNI string
	// Authority is the HTTP Host header; "" on a TCP chain.
	Authority string
}

// rbacDecision says whether the filters, in chain order, let the request through, and if not, which policy denied it.
type rbacDecision struct {
	Allowed bool
	Reason  string
}

func decide(filters []*rbacpb.RBAC, r rbacRequest) (rbacDecision, error) {
	for _, f := range filters {
		if f == nil {
			continue
		}
		name, matched, err := firstMatchingPolicy(f, r)
		if err != nil {
			return rbacDecision{}, err
		}
		switch f.GetAction() {
		case rbacpb.RBAC_DENY:
			if matched {
				return rbacDecision{Reason: "denied by " + name}, nil
			}
		case rbacpb.RBAC_ALLOW:
			if !matched {
				return rbacDecision{Reason: "no ALLOW policy matches"}, nil
			}
		case rbacpb.RBAC_LOG:
			// Audit only.
		default:
			return rbacDecision{}, fmt.Errorf("RBAC action %v unsupported", f.GetAction())
		}
	}
	return rbacDecision{Allowed: true}, nil
}

// firstMatchingPolicy: a policy matches when one of its permissions and one of its principals match.
func firstMatchingPolicy(f *rbacpb.RBAC, r rbacRequest) (string, bool, error) {
	names := make([]string, 0, len(f.GetPolicies()))
	for name := range f.GetPolicies() {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		p := f.GetPolicies()[name]
		if p.GetCondition() != nil || p.GetCheckedCondition() != nil {
			return "", false, fmt.Errorf("policy %s: CEL conditions unsupported", name)
		}
		permitted, err := anyOf(p.GetPermissions(), r, permission)
		if err != nil {
			return "", false, fmt.Errorf("policy %s: %w", name, err)
		}
		if !permitted {
			continue
		}
		identified, err := anyOf(p.GetPrincipals(), r, principal)
		if err != nil {
			return "", false, fmt.Errorf("policy %s: %w", name, err)
		}
		if identified {
			return name, true, nil
		}
	}
	return "", false, nil
}

func anyOf[T any](items []T, r rbacRequest, match func(T, rbacRequest) (bool, error)) (bool, error) {
	for _, item := range items {
		if ok, err := match(item, r); err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

func allOf[T any](items []T, r rbacRequest, match func(T, rbacRequest) (bool, error)) (bool, error) {
	for _, item := range items {
		if ok, err := match(item, r); err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

func permission(p *rbacpb.Permission, r rbacRequest) (bool, error) {
	switch rule := p.GetRule().(type) {
	case *rbacpb.Permission_Any:
		return rule.Any, nil
	case *rbacpb.Permission_AndRules:
		return allOf(rule.AndRules.GetRules(), r, permission)
	case *rbacpb.Permission_OrRules:
		return anyOf(rule.OrRules.GetRules(), r, permission)
	case *rbacpb.Permission_NotRule:
		ok, err := permission(rule.NotRule, r)
		return !ok, err
	case *rbacpb.Permission_DestinationPort:
		return r.Port == rule.DestinationPort, nil
	case *rbacpb.Permission_RequestedServerName:
		return stringMatches(rule.RequestedServerName, r.SNI)
	case *rbacpb.Permission_Header:
		return headerMatches(rule.Header, r)
	default:
		return false, fmt.Errorf("permission %T unsupported", rule)
	}
}

func principal(p *rbacpb.Principal, r rbacRequest) (bool, error) {
	switch id := p.GetIdentifier().(type) {
	case *rbacpb.Principal_Any:
		return id.Any, nil
	case *rbacpb.Principal_AndIds:
		return allOf(id.AndIds.GetIds(), r, principal)
	case *rbacpb.Principal_OrIds:
		return anyOf(id.OrIds.GetIds(), r, principal)
	case *rbacpb.Principal_NotId:
		ok, err := principal(id.NotId, r)
		return !ok, err
	case *rbacpb.Principal_Authenticated_:
		// Without a verified client certificate nothing is authenticated (matchers.cc: no ssl() -> false).
		if r.PeerPrincipal == "" {
			return false, nil
		}
		if id.Authenticated.GetPrincipalName() == nil {
			return true, nil
		}
		return stringMatches(id.Authenticated.GetPrincipalName(), r.PeerPrincipal)
	default:
		return false, fmt.Errorf("principal %T unsupported", id)
	}
}

func headerMatches(h *routepb.HeaderMatcher, r rbacRequest) (bool, error) {
	if h.GetName() != ":authority" && h.GetName() != "host" {
		return false, fmt.Errorf("header %q unsupported", h.GetName())
	}
	if r.Authority == "" {
		return false, fmt.Errorf("header rule %q on a connection without HTTP", h.GetName())
	}
	var ok bool
	var err error
	switch m := h.GetHeaderMatchSpecifier().(type) {
	case *routepb.HeaderMatcher_PresentMatch:
		ok = m.PresentMatch
	case *routepb.HeaderMatcher_StringMatch:
		ok, err = stringMatches(m.StringMatch, r.Authority)
	default:
		return false, fmt.Errorf("header matcher %T unsupported", m)
	}
	if h.GetInvertMatch() {
		return !ok, err
	}
	return ok, err
}

func stringMatches(m *matcherpb.StringMatcher, value string) (bool, error) {
	fold := func(s string) string {
		if m.GetIgnoreCase() {
			return strings.ToLower(s)
		}
		return s
	}
	switch p := m.GetMatchPattern().(type) {
	case *matcherpb.StringMatcher_Exact:
		return fold(value) == fold(p.Exact), nil
	case *matcherpb.StringMatcher_Prefix:
		return strings.HasPrefix(fold(value), fold(p.Prefix)), nil
	case *matcherpb.StringMatcher_Suffix:
		return strings.HasSuffix(fold(value), fold(p.Suffix)), nil
	case *matcherpb.StringMatcher_Contains:
		return strings.Contains(fold(value), fold(p.Contains)), nil
	case *matcherpb.StringMatcher_SafeRegex:
		// RE2, matched against the whole value, as Envoy's safe_regex.
		re, err := regexp.Compile(`^(?:` + p.SafeRegex.GetRegex() + `)$`)
		if err != nil {
			return false, err
		}
		return re.MatchString(value), nil
	default:
		return false, fmt.Errorf("string matcher %T unsupported", p)
	}
}
