//go:build tools

// Package tools pins the Pulumi YAML language host (github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml), which
// runs Pulumi YAML programs such as examples/yaml. It is built against the same Pulumi pkg/sdk release as the CLI.
package tools

import _ "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"
