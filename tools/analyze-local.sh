#!/usr/bin/env bash
# istioctl analyze for the local control plane of tools/cluster.sh, which runs no pods and no injection webhook.
# Suppresses only the findings that causes (README, "suppressed istioctl analyze findings"); extra arguments are
# passed to istioctl.
set -euo pipefail
exec istioctl analyze \
	--suppress "IST0101=Gateway *" \
	--suppress "IST0101=Telemetry *" \
	--suppress "IST0127=AuthorizationPolicy *" \
	--suppress "IST0173=DestinationRule *" \
	--suppress "IST0146=Deployment *" \
	"$@"
