//go:build tools

// Package tools pins kube-apiserver and kube-controller-manager from
// k8s.io/kubernetes (cluster.sh runs the controller manager with only the
// garbage-collector and namespace controllers). The staging
// modules are replaced by their published v0.<minor>.<patch> versions (the
// upstream go.mod replaces them with ./staging/src/..., which only works inside
// the kubernetes repository). See ../README.md.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
)
