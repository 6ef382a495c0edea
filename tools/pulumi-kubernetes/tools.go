//go:build tools

// Package tools pins the Pulumi Kubernetes provider module. Its main package
// (cmd/pulumi-resource-kubernetes) embeds files that are generated at release
// time and are not in the module zip, so build.sh copies that directory out of
// the module cache into a scratch dir, runs its generate.go and builds there.
// These imports keep every package the copied main package and generate.go
// need in this module's build list and go.sum.
package tools

import (
	_ "github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	_ "github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
	_ "github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)
