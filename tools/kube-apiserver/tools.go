//go:build tools

// Package tools pins kube-apiserver from k8s.io/kubernetes. The staging
// modules are replaced by their published v0.<minor>.<patch> versions (the
// upstream go.mod replaces them with ./staging/src/..., which only works inside
// the kubernetes repository). See ../README.md.
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
