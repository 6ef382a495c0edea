#!/usr/bin/env bash
# The main job: the seed scenario (aliyun.com over HTTP/80, REGISTRY_ONLY) with the real Pulumi CLI against a
# local control plane (etcd + kube-apiserver + Istio CRDs + the default `istio` mesh ConfigMap). Prints the preview
# diff, the created objects, the mesh config's outbound policy and istioctl's verdict, then destroys everything.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$REPO/tools/env.sh"
# Node 22 from the node devDependency, for the Pulumi language host.
export PATH="$REPO/node_modules/node/bin:$PATH"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/mesh-egress-demo-XXXXXX")"
PROGRAM="$REPO/examples/local"
cleanup() {
	set +e
	if [ -n "${STACK_READY:-}" ]; then
		echo; echo "== pulumi destroy"
		pulumi destroy --yes --skip-preview --cwd "$PROGRAM" --stack demo >/dev/null && echo "destroyed"
		pulumi stack rm --yes --cwd "$PROGRAM" --stack demo >/dev/null
	fi
	bash "$REPO/tools/cluster.sh" down "$WORK/cluster" >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT

section() { printf '\n== %s\n' "$*"; }

section "starting the local control plane"
export KUBECONFIG
KUBECONFIG="$(bash "$REPO/tools/cluster.sh" up "$WORK/cluster" | tail -n 1)"
mkdir -p "$WORK/state"
export PULUMI_HOME="$WORK/pulumi-home" PULUMI_BACKEND_URL="file://$WORK/state" PULUMI_CONFIG_PASSPHRASE=demo
BEFORE="$(kubectl get configmap istio -n istio-system -o jsonpath='{.data.mesh}')"
outbound_mode() { printf '%s\n' "$1" | grep -A1 '^outboundTrafficPolicy:' | sed -n 's/^ *mode: *//p' || true; }
MODE_BEFORE="$(outbound_mode "$BEFORE")"
[ -n "$MODE_BEFORE" ] || MODE_BEFORE="unset (Istio's default: ALLOW_ANY)"
echo "mesh config outboundTrafficPolicy.mode before: $MODE_BEFORE"

pulumi stack init demo --cwd "$PROGRAM" >/dev/null
STACK_READY=1
pulumi config set --path 'hosts[0].host' aliyun.com --cwd "$PROGRAM" --stack demo

section "pulumi preview --diff (what a reviewer approves)"
pulumi preview --diff --cwd "$PROGRAM" --stack demo

section "pulumi up"
pulumi up --yes --skip-preview --cwd "$PROGRAM" --stack demo

section "the review summary (output \"summary\")"
pulumi stack output summary --cwd "$PROGRAM" --stack demo

section "created objects"
kubectl get serviceentries,gateways,destinationrules,virtualservices,telemetries -n istio-system
kubectl get serviceaccount,deployment,service,poddisruptionbudget -n istio-system -l app.kubernetes.io/part-of=mesh-egress
section "mesh config after up"
MESH_AFTER="$(kubectl get configmap istio -n istio-system -o jsonpath='{.data.mesh}')"
echo "outboundTrafficPolicy.mode: $(outbound_mode "$MESH_AFTER")"

section "istioctl analyze"
bash "$REPO/tools/analyze-local.sh" --namespace istio-system

section "pulumi preview after up (expect no changes)"
pulumi preview --expect-no-changes --cwd "$PROGRAM" --stack demo >/dev/null && echo "no changes"

pulumi destroy --yes --skip-preview --cwd "$PROGRAM" --stack demo >/dev/null
pulumi stack rm --yes --cwd "$PROGRAM" --stack demo >/dev/null
STACK_READY=
AFTER="$(kubectl get configmap istio -n istio-system -o jsonpath='{.data.mesh}')"
section "after destroy"
if [ "$BEFORE" = "$AFTER" ]; then echo "mesh config is byte-for-byte as before"; else echo "mesh config differs!"; exit 1; fi
