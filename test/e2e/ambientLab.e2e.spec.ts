// The ambient data plane on real parts (tools/lab.sh up <dir> ambient; root only): `pulumi up` of one host per mode
// with the real CLI and dataplane AMBIENT, a real istiod (ambient on) that binds the hosts' ServiceEntries to the
// component's waypoint and allocates their addresses, and the waypoint itself: pilot-agent + upstream Envoy, fed live
// by that istiod, in a network namespace of its own (`tools/lab.sh waypoint`). The client side is ztunnel's part,
// played by the test: HBONE (HTTP/2 CONNECT over mutual TLS) with workload certificates from the lab's mesh CA, to the
// address and port the app would have called — so the SPIFFE identity decides `from`, as in a cluster.
import { Stack } from "@pulumi/pulumi/automation";
import { expect } from "chai";
import * as fs from "node:fs";
import { Duplex } from "node:stream";
import { ExternalHost } from "../../sdk";
import { Tunnel, WorkloadCertificate, headOver, hbone, readAll, tlsOver } from "./support/hbone";
import { Kube, kube } from "./support/kube";
import { ExtRequest, LAB, echo, eventually, extRequests, labDown, note, startLab } from "./support/lab";
import { localStack, removeStackConfigs } from "./support/stack";
import { Toolchain, run } from "./support/toolchain";

/** The component's waypoint (component "egress": Gateway "egress-waypoint" in istio-system) and its identity. */
const WAYPOINT = {
    namespace: "istio-system",
    name: "egress-waypoint",
    identity: "spiffe://cluster.local/ns/istio-system/sa/egress-waypoint",
};
const WILDCARD = "*.web.lab.example";

/** One host per mode; `from` on one of them; an HTTP wildcard resolved name by name at the waypoint. */
function ambientHosts(lab: Record<string, string>): ExternalHost[] {
    return [
        { host: "aliyun.com" },
        { host: "pay.lab.example", from: [{ namespace: "default", serviceAccount: "sleep" }] },
        { host: "tls.lab.example", mode: "TLS_PASSTHROUGH" },
        { host: "origin.lab.example", mode: "TLS_ORIGINATION", tls: { caCertificates: lab.EXT_CA } },
        { host: "mtls.lab.example", mode: "MUTUAL_TLS_ORIGINATION", tls: { credentialName: "client-credential" } },
        { host: WILDCARD },
        // ztunnel captures a service by single addresses, not ranges.
        { host: "db.lab.example", mode: "TCP", port: 5432, addresses: [lab.TCP_IP], endpoints: [lab.TCP_IP] },
    ];
}

describe("ambient on a real data path (root lab: istiod with ambient, a waypoint of pilot-agent + upstream Envoy, an HBONE client)", function () {
    this.timeout(10 * 60 * 1000);
    let tools: Toolchain;
    let workHome: string;
    let labDir: string;
    let lab: Record<string, string>;
    let api: Kube;
    let stack: Stack | undefined;
    let upResult = "";
    /** Each host's address as istiod allocated it (the ServiceEntry's status), which the app's DNS would return. */
    const addresses: Record<string, string> = {};
    let sleepIdentity: WorkloadCertificate;
    let intruderIdentity: WorkloadCertificate;

    const waypoint = () => `${lab.GATEWAY_IP}:15008`;
    const target = (host: string, port: number) => `${addresses[host]}:${port}`;
    /** A tunnel as `caller` to `to`, with what the external servers recorded while `use` ran on it. */
    async function through<T>(
        caller: WorkloadCertificate,
        to: string,
        use: (stream: Duplex) => Promise<T>,
    ): Promise<{ status: number; result?: T; seen: ExtRequest[] }> {
        const before = extRequests(lab).length;
        const tunnel: Tunnel = await hbone(waypoint(), WAYPOINT.identity, caller, to);
        try {
            const result = tunnel.stream ? await use(tunnel.stream) : undefined;
            return { status: tunnel.status, result, seen: extRequests(lab).slice(before) };
        } finally {
            tunnel.close();
        }
    }
    /** HEAD / with this Host header through a tunnel to `to`; the HTTP status inside (0 when the tunnel failed). */
    const head = (caller: WorkloadCertificate, to: string, host: string) =>
        through(caller, to, (stream) => headOver(stream, host));

    /** The waypoint's Envoy admin endpoint (it listens on the pod's loopback, in the waypoint's network namespace). */
    const waypointAdmin = (urlPath: string): string =>
        run(tools, "ip", [
            "netns",
            "exec",
            lab.GATEWAY_NETNS,
            "curl",
            "-sS",
            "--max-time",
            "5",
            `http://127.0.0.1:15000${urlPath}`,
        ]).stdout;

    before(async function () {
        ({ tools, workHome, labDir, lab } = startLab(this, "ambient"));
        sleepIdentity = { dir: lab.CLIENT_CERTS };
        intruderIdentity = { dir: lab.CLIENT2_CERTS };
        api = await kube(fs.readFileSync(lab.KUBECONFIG, "utf8"));
        stack = await localStack(tools, workHome, "ambient-lab", { KUBECONFIG: lab.KUBECONFIG });
        await stack.setAllConfig({
            hosts: { value: JSON.stringify(ambientHosts(lab)) },
            dataplane: { value: "AMBIENT" },
            // Required under ambient; the lab has no CNI enforcing NetworkPolicies (test/dataplane/netpol_test.go
            // checks them), so this test's client is not held to them.
            antiBypass: { value: JSON.stringify({ namespaces: ["default"] }) },
        });
        upResult = (await stack.up({ onOutput: echo })).summary.result;
        note(`pulumi up: ${upResult}`);
        run(tools, "bash", [LAB, "waypoint", labDir, WAYPOINT.namespace, WAYPOINT.name]);
        // istiod allocates each ServiceEntry's address (its status) and then sends the waypoint a filter chain for it.
        const allocated = await eventually(60, async () => {
            const entries = await api.list("networking.istio.io/v1", "ServiceEntry", "");
            for (const entry of entries) {
                // A host with its own addresses keeps them; istiod allocates one to every other.
                const address = entry.spec.addresses?.[0] ?? entry.status?.addresses?.[0]?.value;
                if (address) addresses[entry.spec.hosts[0]] = address;
            }
            return ambientHosts(lab).every((h) => h.host in addresses) ? true : undefined;
        });
        note(`ServiceEntry addresses ${allocated ? "allocated" : "NOT allocated"}: ${JSON.stringify(addresses)}`);
        const served = await eventually(60, async () =>
            (await head(sleepIdentity, target("aliyun.com", 80), "aliyun.com")).result?.status === 301
                ? true
                : undefined,
        );
        note(`the waypoint ${served ? "serves" : "does NOT serve"} aliyun.com`);
    });

    after(async function () {
        if (stack) await stack.destroy().catch((e: Error) => note(`pulumi destroy failed: ${e.message}`));
        removeStackConfigs();
        if (labDir) labDown(labDir);
        if (workHome) fs.rmSync(workHome, { recursive: true, force: true });
    });

    it("pulumi up succeeds, istiod allocates every host an address, and the waypoint accepts every configuration istiod sends", () => {
        expect(upResult).to.equal("succeeded");
        expect(Object.keys(addresses).sort()).to.deep.equal(
            ambientHosts(lab)
                .map((h) => h.host)
                .sort(),
        );
        const rejected = waypointAdmin("/stats?filter=update_rejected")
            .split("\n")
            .filter((line) => line.trim() !== "" && !line.endsWith(": 0"));
        expect(rejected).to.deep.equal([]);
    });

    it("HTTP: the host's address reaches its server with the Host header intact, from the waypoint's address", async () => {
        const { status, result, seen } = await head(intruderIdentity, target("aliyun.com", 80), "aliyun.com");
        expect([status, result?.status]).to.deep.equal([200, 301]);
        expect(result?.raw.toLowerCase()).to.include(`x-lab-answer: ${lab.EXT_NONCE}`);
        expect(seen).to.deep.equal([{ peer: lab.GATEWAY_IP, host: "aliyun.com", method: "HEAD", path: "/" }]);
    });

    it("HTTP: another Host header on the host's address gets 403 at the waypoint, and nothing reaches a server", async () => {
        const { result, seen } = await head(sleepIdentity, target("aliyun.com", 80), "evil.example");
        expect(result?.status).to.equal(403);
        expect(seen).to.deep.equal([]);
    });

    it("from: default/sleep is served pay.lab.example; default/intruder gets 403 and nothing reaches the server", async () => {
        const allowed = await head(sleepIdentity, target("pay.lab.example", 80), "pay.lab.example");
        expect(allowed.result?.status).to.equal(301);
        expect(allowed.seen).to.deep.equal([
            { peer: lab.GATEWAY_IP, host: "pay.lab.example", method: "HEAD", path: "/" },
        ]);
        const denied = await head(intruderIdentity, target("pay.lab.example", 80), "pay.lab.example");
        expect(denied.result?.status).to.equal(403);
        expect(denied.seen).to.deep.equal([]);
    });

    it("TLS passthrough: the app's own TLS session reaches the server with its SNI, verified end to end", async () => {
        const { result, seen } = await through(sleepIdentity, target("tls.lab.example", 443), async (stream) =>
            headOver(await tlsOver(stream, "tls.lab.example", fs.readFileSync(lab.EXT_CA)), "tls.lab.example"),
        );
        expect(result?.status).to.equal(200);
        expect(seen).to.deep.equal([
            {
                proto: "tls",
                peer: lab.GATEWAY_IP,
                sni: "tls.lab.example",
                host: "tls.lab.example",
                method: "HEAD",
                clientCert: null,
            },
        ]);
    });

    it("TLS origination: the app's plain HTTP arrives as TLS from the waypoint, SNI origin.lab.example", async () => {
        const { result, seen } = await head(sleepIdentity, target("origin.lab.example", 80), "origin.lab.example");
        expect(result?.status).to.equal(200);
        expect(seen).to.deep.equal([
            {
                proto: "tls",
                peer: lab.GATEWAY_IP,
                sni: "origin.lab.example",
                host: "origin.lab.example",
                method: "HEAD",
                clientCert: null,
            },
        ]);
    });

    it("mutual TLS origination: the waypoint presents the credentialName Secret's client certificate", async () => {
        const { result, seen } = await head(sleepIdentity, target("mtls.lab.example", 80), "mtls.lab.example");
        expect(result?.status).to.equal(200);
        expect(seen).to.deep.equal([
            {
                proto: "tls",
                peer: lab.GATEWAY_IP,
                sni: "mtls.lab.example",
                host: "mtls.lab.example",
                method: "HEAD",
                clientCert: "egress-gateway-client",
            },
        ]);
    });

    it("TCP: bytes to the declared address on port 5432 echo back, and the server sees the waypoint's address", async () => {
        const { status, result, seen } = await through(sleepIdentity, `${lab.TCP_IP}:5432`, async (stream) => {
            stream.end("ping");
            return readAll(stream, 5000);
        });
        expect([status, result]).to.deep.equal([200, `${lab.EXT_NONCE} ping`]);
        expect(seen).to.deep.equal([{ proto: "tcp", peer: lab.GATEWAY_IP, port: 5432 }]);
    });

    it("HTTP wildcard: the waypoint resolves each name itself, and two names reach their two servers", async () => {
        const first = await head(sleepIdentity, target(WILDCARD, 80), "a.web.lab.example");
        const second = await head(sleepIdentity, target(WILDCARD, 80), lab.WILD2_NAME);
        expect([first.result?.status, second.result?.status]).to.deep.equal([301, 301]);
        // The lab's DNS gives the two names two addresses, and each answer names the server that gave it.
        const server = (raw = "") => /^x-lab-server: (\S+)/im.exec(raw)?.[1];
        expect([server(first.result?.raw), server(second.result?.raw)]).to.deep.equal([lab.EXT_IP, lab.EXT2_IP]);
        // Both servers log to the same file; the peer is the waypoint, the Host the name asked for.
        expect([...first.seen, ...second.seen]).to.deep.equal([
            { peer: lab.GATEWAY_IP, host: "a.web.lab.example", method: "HEAD", path: "/" },
            { peer: lab.GATEWAY_IP, host: lab.WILD2_NAME, method: "HEAD", path: "/" },
        ]);
    });

    it("HTTP wildcard: a name outside the wildcard on its address gets 403, and nothing reaches a server", async () => {
        for (const outside of ["web.lab.example.attacker.example", "aliyun.com"]) {
            const { result, seen } = await head(sleepIdentity, target(WILDCARD, 80), outside);
            expect([outside, result?.status, seen]).to.deep.equal([outside, 403, []]);
        }
    });

    it("an address no host declares (the live server's own) is not served, and nothing reaches it", async () => {
        const { status, result, seen } = await head(sleepIdentity, `${lab.EXT_IP}:80`, "aliyun.com");
        expect(status === 200 && result?.status === 301, `CONNECT ${status}, then HTTP ${result?.status}`).to.equal(
            false,
        );
        expect(seen).to.deep.equal([]);
    });

    it("TCP: the declared address on a port nobody declared is not served, and nothing reaches the server", async () => {
        const { result, seen } = await through(sleepIdentity, `${lab.TCP_IP}:5433`, async (stream) => {
            stream.end("ping");
            return readAll(stream, 5000);
        });
        expect(result ?? "").to.equal("");
        expect(seen).to.deep.equal([]);
    });
});
