//go:build tools

// Package tools pins Istio's control-plane and proxy-agent binaries for the root data-plane lab
// (tools/lab.sh): pilot-discovery (istiod) and pilot-agent (which starts Envoy and carries istio-iptables).
// They come from the same istio.io/istio pseudo-version as tools/istioctl.
package tools

import (
	_ "istio.io/istio/pilot/cmd/pilot-agent"
	_ "istio.io/istio/pilot/cmd/pilot-discovery"
)
