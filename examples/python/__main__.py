"""The seed scenario in Python: aliyun.com over HTTP on port 80 through the egress gateway, every other external
host blocked (REGISTRY_ONLY).

`pulumi_mesh_egress` is the SDK generated from mesh-egress's schema into sdks/mesh-egress (see README.md); the
component itself runs in mesh-egress's provider plugin.
"""

import pulumi
import pulumi_mesh_egress as mesh_egress

# Optional gateway settings from stack config, e.g. on a control plane that runs no pods (the end-to-end test's):
#   pulumi config set gateway '{"annotations": {"pulumi.com/skipAwait": "true"}}'
# Unset: MeshEgress's defaults.
gateway = pulumi.Config().get_object("gateway")

egress = mesh_egress.MeshEgress(
    "egress",
    hosts=[{"host": "aliyun.com"}],
    gateway=gateway,
)

pulumi.export("gatewayService", egress.gateway_service_fqdn)
pulumi.export("outboundTrafficPolicy", egress.outbound_traffic_policy_mode)
pulumi.export("hostObjects", egress.host_objects)
