//go:build tools

// Package tools pins istioctl (istio.io/istio/istioctl/cmd/istioctl). Istio's
// tags have no "v" prefix, so istio.io/istio is required by pseudo-version.
package tools

import _ "istio.io/istio/istioctl/cmd/istioctl"
