#!/usr/bin/env bash
# A throw-away local Kubernetes control plane for e2e tests: etcd +
# kube-apiserver on 127.0.0.1 (envtest-style flags), Istio CRDs and the
# default `istio` mesh ConfigMap. kube-controller-manager runs with only the
# garbage-collector and namespace controllers (so foreground deletes, owner
# references and namespace deletion complete); no scheduler, no kubelet, no
# workload controllers: Deployments etc. are stored and validated, but never
# reconciled (no ReplicaSets, no Pods). Override the controller list with
# MESH_EGRESS_KCM_CONTROLLERS (kube-controller-manager --controllers syntax).
#
# Usage:
#   tools/cluster.sh up <dir>     start; all state (certs, data, logs, pid
#                                 files, kubeconfig) lives in <dir>; prints
#                                 the kubeconfig path on stdout
#   tools/cluster.sh down <dir>   stop the processes and remove <dir>; safe to
#                                 run repeatedly and after a failed `up`
# Needs: tools/build.sh (etcd, kube-apiserver, kube-controller-manager, Istio
# CRDs and ConfigMap), kubectl, openssl, curl.
set -euo pipefail

TOOLS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=env.sh
. "$TOOLS_DIR/env.sh"

MARKER=".mesh-egress-cluster"

log() { printf '[cluster] %s\n' "$*" >&2; }
die() {
	printf '[cluster] ERROR: %s\n' "$*" >&2
	exit 1
}

usage() {
	echo "usage: $0 up|down <dir>" >&2
	exit 2
}

# free_port: prints a TCP port on 127.0.0.1 that is free right now.
free_port() {
	if command -v python3 >/dev/null 2>&1; then
		python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
		return
	fi
	local p
	while :; do
		p=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
}

# pid_alive <pidfile> <binary name>: the recorded process is still ours.
pid_alive() {
	local pidfile="$1" name="$2" pid
	[ -s "$pidfile" ] || return 1
	pid=$(cat "$pidfile")
	[ -r "/proc/$pid/cmdline" ] || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$name"
}

stop_proc() {
	local pidfile="$1" name="$2" pid i
	if pid_alive "$pidfile" "$name"; then
		pid=$(cat "$pidfile")
		kill -TERM "$pid" 2>/dev/null || true
		for i in $(seq 1 100); do
			pid_alive "$pidfile" "$name" || break
			sleep 0.1
		done
		if pid_alive "$pidfile" "$name"; then
			kill -KILL "$pid" 2>/dev/null || true
			sleep 0.2
		fi
	fi
	rm -f "$pidfile"
}

cmd_down() {
	local dir="$1"
	[ -e "$dir" ] || return 0
	[ -d "$dir" ] || die "$dir is not a directory"
	if [ ! -e "$dir/$MARKER" ]; then
		[ -z "$(ls -A "$dir")" ] || die "$dir was not created by '$0 up' (no $MARKER); not removing it"
		rmdir "$dir"
		return 0
	fi
	stop_proc "$dir/kube-controller-manager.pid" kube-controller-manager
	stop_proc "$dir/kube-apiserver.pid" kube-apiserver
	stop_proc "$dir/etcd.pid" etcd
	rm -rf "$dir"
	log "stopped and removed $dir"
}

need_bin() {
	command -v "$1" >/dev/null 2>&1 ||
		die "'$1' not found (looked in $MESH_EGRESS_TOOLS_BIN and PATH). Build the tools first: bash $TOOLS_DIR/build.sh"
}

need_file() {
	[ -s "$1" ] || die "$1 is missing. Build the tools first: bash $TOOLS_DIR/build.sh"
}

# wait_for <seconds> <pidfile> <binary> <command...>: retries the command until
# it succeeds; fails early if the process recorded in pidfile has exited.
wait_for() {
	local secs="$1" pidfile="$2" name="$3" i
	shift 3
	for i in $(seq 1 $((secs * 5))); do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		pid_alive "$pidfile" "$name" || die "$name exited (see the log below)"
		sleep 0.2
	done
	return 1
}

gen_certs() {
	local pki="$1"
	(
		cd "$pki"
		# CA for serving and client certificates.
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
			-subj "/CN=mesh-egress-local-ca" -keyout ca.key -out ca.crt 2>/dev/null
		# kube-apiserver serving certificate.
		cat >serving.ext <<-'EOF'
			basicConstraints=critical,CA:FALSE
			keyUsage=critical,digitalSignature,keyEncipherment
			extendedKeyUsage=serverAuth
			subjectAltName=IP:127.0.0.1,DNS:localhost,IP:10.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local
		EOF
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=kube-apiserver" \
			-keyout apiserver.key -out apiserver.csr 2>/dev/null
		openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
			-extfile serving.ext -out apiserver.crt 2>/dev/null
		# Admin client certificate: user "admin" in group "system:masters".
		cat >client.ext <<-'EOF'
			basicConstraints=critical,CA:FALSE
			keyUsage=critical,digitalSignature,keyEncipherment
			extendedKeyUsage=clientAuth
		EOF
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/O=system:masters/CN=admin" \
			-keyout admin.key -out admin.csr 2>/dev/null
		openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
			-extfile client.ext -out admin.crt 2>/dev/null
		# Service-account token signing key pair.
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out sa.key 2>/dev/null
		openssl pkey -in sa.key -pubout -out sa.pub 2>/dev/null
		rm -f ./*.csr ./*.ext ca.srl
		chmod 0600 ./*.key
	)
}

b64() { base64 -w0 <"$1"; }

write_kubeconfig() {
	local dir="$1" url="$2" pki="$1/pki"
	umask 077
	cat >"$dir/kubeconfig" <<-EOF
		apiVersion: v1
		kind: Config
		clusters:
		- name: mesh-egress-local
		  cluster:
		    server: $url
		    certificate-authority-data: $(b64 "$pki/ca.crt")
		users:
		- name: admin
		  user:
		    client-certificate-data: $(b64 "$pki/admin.crt")
		    client-key-data: $(b64 "$pki/admin.key")
		contexts:
		- name: mesh-egress-local
		  context:
		    cluster: mesh-egress-local
		    user: admin
		current-context: mesh-egress-local
	EOF
}

UP_DIR=""
on_up_error() {
	local rc=$?
	trap - ERR EXIT
	if [ "$rc" -ne 0 ] && [ -n "$UP_DIR" ]; then
		log "'up' failed (exit $rc); stopping what was started. Logs:"
		local f
		for f in "$UP_DIR"/logs/*.log; do
			[ -e "$f" ] || continue
			printf -- '--- %s (last 20 lines)\n' "$f" >&2
			tail -n 20 "$f" >&2 || true
		done
		stop_proc "$UP_DIR/kube-controller-manager.pid" kube-controller-manager
		stop_proc "$UP_DIR/kube-apiserver.pid" kube-apiserver
		stop_proc "$UP_DIR/etcd.pid" etcd
		log "state left in $UP_DIR for inspection; remove it with: $0 down $UP_DIR"
	fi
	exit "$rc"
}

cmd_up() {
	local dir="$1"
	need_bin etcd
	need_bin kube-apiserver
	need_bin kube-controller-manager
	need_bin kubectl
	need_bin openssl
	need_bin curl
	need_file "$MESH_EGRESS_ISTIO_CRDS"
	need_file "$MESH_EGRESS_GATEWAY_API_CRDS"
	need_file "$MESH_EGRESS_ISTIO_CONFIGMAP"

	if [ -e "$dir" ]; then
		[ -d "$dir" ] || die "$dir exists and is not a directory"
		if [ -e "$dir/$MARKER" ]; then
			die "$dir already holds a cluster; run '$0 down $dir' first"
		fi
		[ -z "$(ls -A "$dir")" ] || die "$dir exists and is not empty"
	fi
	mkdir -p "$dir"
	dir="$(cd "$dir" && pwd)"
	touch "$dir/$MARKER"
	UP_DIR="$dir"
	trap on_up_error EXIT
	mkdir -p "$dir/pki" "$dir/logs"
	mkdir -m 0700 "$dir/etcd"

	local etcd_port peer_port api_port etcd_url api_url
	etcd_port=$(free_port)
	peer_port=$(free_port)
	api_port=$(free_port)
	while [ "$peer_port" = "$etcd_port" ]; do peer_port=$(free_port); done
	while [ "$api_port" = "$etcd_port" ] || [ "$api_port" = "$peer_port" ]; do api_port=$(free_port); done
	etcd_url="http://127.0.0.1:$etcd_port"
	api_url="https://127.0.0.1:$api_port"

	gen_certs "$dir/pki"

	log "starting etcd on $etcd_url"
	setsid etcd \
		--name=default \
		--data-dir="$dir/etcd" \
		--listen-client-urls="$etcd_url" \
		--advertise-client-urls="$etcd_url" \
		--listen-peer-urls="http://127.0.0.1:$peer_port" \
		--initial-advertise-peer-urls="http://127.0.0.1:$peer_port" \
		--initial-cluster="default=http://127.0.0.1:$peer_port" \
		--unsafe-no-fsync=true \
		--log-level=warn \
		</dev/null >"$dir/logs/etcd.log" 2>&1 &
	echo $! >"$dir/etcd.pid"
	wait_for 30 "$dir/etcd.pid" etcd curl -fsS "$etcd_url/health" ||
		die "etcd did not become healthy within 30 s (see $dir/logs/etcd.log)"

	log "starting kube-apiserver on $api_url"
	setsid kube-apiserver \
		--etcd-servers="$etcd_url" \
		--bind-address=127.0.0.1 \
		--advertise-address=127.0.0.1 \
		--secure-port="$api_port" \
		--cert-dir="$dir/pki" \
		--tls-cert-file="$dir/pki/apiserver.crt" \
		--tls-private-key-file="$dir/pki/apiserver.key" \
		--client-ca-file="$dir/pki/ca.crt" \
		--service-account-issuer="$api_url/" \
		--service-account-key-file="$dir/pki/sa.pub" \
		--service-account-signing-key-file="$dir/pki/sa.key" \
		--service-cluster-ip-range=10.0.0.0/24 \
		--allow-privileged=true \
		--authorization-mode=RBAC \
		--disable-admission-plugins=ServiceAccount \
		--endpoint-reconciler-type=none \
		--profiling=false \
		</dev/null >"$dir/logs/kube-apiserver.log" 2>&1 &
	echo $! >"$dir/kube-apiserver.pid"

	write_kubeconfig "$dir" "$api_url"
	local kc="$dir/kubeconfig"
	local curl_auth=(--cacert "$dir/pki/ca.crt" --cert "$dir/pki/admin.crt" --key "$dir/pki/admin.key")
	wait_for 90 "$dir/kube-apiserver.pid" kube-apiserver curl -fsS "${curl_auth[@]}" "$api_url/readyz" ||
		die "kube-apiserver not ready within 90 s (see $dir/logs/kube-apiserver.log)"
	# The default namespace and the RBAC bootstrap objects are created by
	# kube-apiserver itself shortly after /readyz.
	wait_for 30 "$dir/kube-apiserver.pid" kube-apiserver kubectl --kubeconfig "$kc" get namespace default ||
		die "namespace 'default' did not appear"

	log "starting kube-controller-manager (controllers: ${MESH_EGRESS_KCM_CONTROLLERS:-garbagecollector,namespace})"
	setsid kube-controller-manager \
		--kubeconfig="$kc" \
		--controllers="${MESH_EGRESS_KCM_CONTROLLERS:-garbagecollector,namespace}" \
		--leader-elect=false \
		--bind-address=127.0.0.1 \
		--secure-port=0 \
		--use-service-account-credentials=false \
		--profiling=false \
		</dev/null >"$dir/logs/kube-controller-manager.log" 2>&1 &
	echo $! >"$dir/kube-controller-manager.pid"

	log "creating namespace istio-system, Istio and Gateway API CRDs and the istio ConfigMap"
	kubectl --kubeconfig "$kc" create namespace istio-system >/dev/null
	# Server-side apply: some Istio CRDs are too large for the
	# last-applied-configuration annotation of client-side apply.
	kubectl --kubeconfig "$kc" apply --server-side --field-manager=mesh-egress-cluster \
		-f "$MESH_EGRESS_ISTIO_CRDS" -f "$MESH_EGRESS_GATEWAY_API_CRDS" >"$dir/logs/crds.log"
	kubectl --kubeconfig "$kc" wait --for=condition=Established --timeout=60s \
		-f "$MESH_EGRESS_ISTIO_CRDS" -f "$MESH_EGRESS_GATEWAY_API_CRDS" >>"$dir/logs/crds.log"
	kubectl --kubeconfig "$kc" apply --server-side --field-manager=mesh-egress-cluster \
		-f "$MESH_EGRESS_ISTIO_CONFIGMAP" >/dev/null

	pid_alive "$dir/kube-controller-manager.pid" kube-controller-manager ||
		die "kube-controller-manager exited (see $dir/logs/kube-controller-manager.log)"

	cat >"$dir/cluster.env" <<-EOF
		KUBECONFIG=$kc
		KUBE_APISERVER_URL=$api_url
		ETCD_URL=$etcd_url
	EOF
	trap - EXIT
	log "ready: kube-apiserver $(kubectl --kubeconfig "$kc" get --raw /version 2>/dev/null | grep -o '"gitVersion": *"[^"]*"' | cut -d'"' -f4 || true) at $api_url"
	echo "$kc"
}

[ "$#" -eq 2 ] || usage
case "$1" in
up) cmd_up "$2" ;;
down) cmd_down "$2" ;;
*) usage ;;
esac
