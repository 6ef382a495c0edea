//go:build tools

// Package tools pins the etcd server (main package = module root) so that
// `go build go.etcd.io/etcd/server/v3` builds the etcd binary. See ../README.md.
package tools

import _ "go.etcd.io/etcd/server/v3"
