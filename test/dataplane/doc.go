// Package dataplane proves, in-process and hermetically, that Istio's own discovery server turns the objects
// MeshEgress plans into the intended traffic path: client sidecar -> egress gateway -> external host, and that
// REGISTRY_ONLY blocks what is not declared. The tests live in *_test.go; this file only names the package.
//
// The plan comes from export-plan.ts (the component's validateArgs + buildPlan), never from hand-written Istio YAML:
// either from $MESH_EGRESS_PLAN_DIR/<scenario>.yaml (written by dataplane.spec.ts) or, when that is unset, by
// running the export script with the repository's Node.js.
package dataplane
