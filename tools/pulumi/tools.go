//go:build tools

// Package tools pins the Pulumi CLI (github.com/pulumi/pulumi/pkg/v3/cmd/pulumi).
// pkg/v3's own go.mod replaces sdk/v3 with ../sdk, so `go install pkg@version`
// is refused; this wrapper requires pkg/v3 and sdk/v3 at the same release.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
