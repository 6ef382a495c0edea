//go:build tools

// Package tools pins the Pulumi Node.js language host. See ../README.md for
// why this is the sdk/v3 v3.68.0 package and not the separate module
// github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3.
package tools

import _ "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"
