// The seed scenario in Go: aliyun.com over HTTP on port 80 through the egress gateway, every other external host
// blocked (REGISTRY_ONLY).
//
// Package meshegress is the SDK generated from mesh-egress's schema into sdks/mesh-egress (go.mod replaces its module
// path with that directory; see README.md); the component itself runs in mesh-egress's provider plugin.
package main

import (
	"encoding/json"
	"fmt"

	"example.com/pulumi-mesh-egress/sdk/go/meshegress"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(program)
}

func program(ctx *pulumi.Context) error {
	// Optional gateway annotations from stack config, e.g. on a control plane that runs no pods:
	//   pulumi config set gateway '{"annotations": {"pulumi.com/skipAwait": "true"}}'
	// Unset: MeshEgress's defaults.
	var gateway *meshegress.EgressGatewayArgs
	if raw := config.Get(ctx, "gateway"); raw != "" {
		var fromConfig struct {
			Annotations map[string]string `json:"annotations"`
		}
		if err := json.Unmarshal([]byte(raw), &fromConfig); err != nil {
			return fmt.Errorf("config gateway: %w", err)
		}
		gateway = &meshegress.EgressGatewayArgs{Annotations: fromConfig.Annotations}
	}

	egress, err := meshegress.NewMeshEgress(ctx, "egress", &meshegress.MeshEgressArgs{
		Hosts:   []meshegress.ExternalHostArgs{{Host: "aliyun.com"}},
		Gateway: gateway,
	})
	if err != nil {
		return err
	}
	ctx.Export("gatewayService", egress.GatewayServiceFqdn)
	ctx.Export("outboundTrafficPolicy", egress.OutboundTrafficPolicyMode)
	ctx.Export("hostObjects", egress.HostObjects)
	return nil
}
