//go:build tools

// Package tools pins the Pulumi Python language host. Like the Node.js host (../pulumi-language-nodejs), it is the
// package inside github.com/pulumi/pulumi/sdk/v3 v3.68.0, the last served sdk release that still contains it: the
// split-out module github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3 is not served at any version.
// Its exec script (python/cmd/pulumi-language-python-exec) comes from the same module zip. See ../README.md.
package tools

import _ "github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python"
