# shellcheck shell=bash
# Source this file (`. tools/env.sh`) to use the tools built by tools/build.sh.
# Prints nothing. Exports:
#   PATH                        with the tools' bin dir first
#   MESH_EGRESS_TOOLS_BIN       the bin dir (symlinks to the cached binaries)
#   MESH_EGRESS_ISTIO_CRDS      Istio's crd-all.gen.yaml
#   MESH_EGRESS_ISTIO_CONFIGMAP the default-profile `istio` ConfigMap (mesh config)
#   MESH_EGRESS_GATEWAY_API_CRDS  the Gateway API CRDs (standard channel)
#   MESH_EGRESS_ISTIO_RELEASE_CRDS  a directory of 1.<minor>.yaml: the CRDs of older Istio releases
#   MESH_EGRESS_PYTHON_WHEELS   PyPI wheels for examples/python (pip install --no-index --find-links)
#   PULUMI_SKIP_UPDATE_CHECK, PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION (offline Pulumi)
# PULUMI_IGNORE_AMBIENT_PLUGINS must stay unset: Pulumi finds
# pulumi-resource-kubernetes and pulumi-language-nodejs on PATH.

__me_tools_dir="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")" && pwd)"
__me_cache="${MESH_EGRESS_TOOLS_CACHE:-$HOME/.cache/mesh-egress/tools}"
__me_istio="$(
	. "$__me_tools_dir/versions.env"
	printf '%s-%s' "$TOOLS_ISTIO_VERSION" "${TOOLS_ISTIO_MODULE_VERSION##*-}"
)"

export MESH_EGRESS_TOOLS_BIN="$__me_cache/bin"
export MESH_EGRESS_ISTIO_CRDS="$__me_cache/istio-$__me_istio/crd-all.gen.yaml"
export MESH_EGRESS_ISTIO_CONFIGMAP="$__me_cache/istio-$__me_istio/istio-configmap.yaml"
export MESH_EGRESS_PYTHON_WHEELS="$__me_cache/python-wheels"
export MESH_EGRESS_ISTIO_RELEASE_CRDS="$__me_cache/istio-release-crds"
export MESH_EGRESS_GATEWAY_API_CRDS="$__me_cache/gateway-api-$(
	. "$__me_tools_dir/versions.env"
	printf '%s' "$TOOLS_GATEWAY_API_VERSION"
)/crds.yaml"
case ":$PATH:" in
*":$MESH_EGRESS_TOOLS_BIN:"*) ;;
*) export PATH="$MESH_EGRESS_TOOLS_BIN:$PATH" ;;
esac
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true

unset __me_tools_dir __me_cache __me_istio
