package main

// Runs examples/go's program function with Pulumi's Go Automation API. test/e2e/go.e2e.spec.ts copies this file into
// a temporary copy of examples/go (same package, so it can call `program`), builds it with `go test -c` and runs one
// operation per invocation.
//
// Why not `pulumi up` on the example: that needs the Go language host (pulumi-language-go), which the Go module proxy
// here does not serve at any version. The Automation API runs an inline program without it: the Go SDK serves the
// language host protocol itself inside this process and the Pulumi CLI connects to it (`pulumi up --client=...`).
// Everything else (CLI, engine, mesh-egress's plugin, Kubernetes provider) is what `pulumi up` would use.
//
// Environment: MESH_EGRESS_GO_OP (preview, up, preview-no-changes, destroy), MESH_EGRESS_GO_STACK; the working
// directory is the program. Prints one line "MESH_EGRESS_RESULT <json>" on success.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
)

func TestAutomation(t *testing.T) {
	ctx := context.Background()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	// The `pulumi` on PATH (the toolchain's), whatever its version.
	cli, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{SkipVersionCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	ws, err := auto.NewLocalWorkspace(ctx, auto.WorkDir(dir), auto.Program(program), auto.Pulumi(cli))
	if err != nil {
		t.Fatal(err)
	}
	stack, err := auto.SelectStack(ctx, os.Getenv("MESH_EGRESS_GO_STACK"), ws)
	if err != nil {
		t.Fatal(err)
	}

	result := map[string]any{}
	switch op := os.Getenv("MESH_EGRESS_GO_OP"); op {
	case "preview":
		result["steps"], err = previewSteps(ctx, stack)
	case "up":
		var res auto.UpResult
		res, err = stack.Up(ctx)
		if err == nil {
			result["summary"] = res.Summary.Result
			outputs := map[string]any{}
			for name, output := range res.Outputs {
				outputs[name] = output.Value
			}
			result["outputs"] = outputs
		}
	case "preview-no-changes":
		_, err = stack.Preview(ctx, optpreview.ExpectNoChanges())
	case "destroy":
		_, err = stack.Destroy(ctx)
	default:
		err = fmt.Errorf("unknown MESH_EGRESS_GO_OP %q", op)
	}
	if err != nil {
		t.Fatal(err)
	}
	printed, err := json.Marshal(result)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("MESH_EGRESS_RESULT %s\n", printed)
}

// previewSteps returns "<op> <type> <name>" of every resource step but the stack and providers.
func previewSteps(ctx context.Context, stack auto.Stack) ([]string, error) {
	stream := make(chan events.EngineEvent)
	steps := []string{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for event := range stream {
			if event.ResourcePreEvent == nil {
				continue
			}
			m := event.ResourcePreEvent.Metadata
			if m.Type == "pulumi:pulumi:Stack" || strings.HasPrefix(m.Type, "pulumi:providers:") {
				continue
			}
			parts := strings.Split(m.URN, "::")
			steps = append(steps, fmt.Sprintf("%s %s %s", m.Op, m.Type, parts[len(parts)-1]))
		}
	}()
	_, err := stack.Preview(ctx, optpreview.EventStreams(stream))
	<-done
	return steps, err
}
