// Generated MeshEgress arguments (fast-check), for the invariant suites: the Istio simulator's no-bypass check
// (test/dataplane), the real API server's acceptance (test/e2e/invariants) and the construction properties
// (test/unit/invariants). Mostly what users write, each field sometimes replaced by a value that breaks things:
// names that end in a role ("tls", "upstream"), long names, numeric labels, wildcards served from another domain or
// resolved name by name,
// overlapping CIDRs, ports shared across modes, duplicates, quantities and tolerations Kubernetes rejects.
import fc from "fast-check";
import { ExternalHost, MeshEgressArgs } from "../../sdk";

/** Usually a valid value, one time in `odds` an invalid one. */
function mostly<T>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<T>, odds = 12): fc.Arbitrary<T> {
    return fc.oneof({ weight: odds - 1, arbitrary: valid }, { weight: 1, arbitrary: invalid });
}

const label = fc.oneof(
    { weight: 8, arbitrary: fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/) },
    { weight: 3, arbitrary: fc.constantFrom("tls", "upstream", "star", "to", "egress", "api", "www", "xn--p1ai") },
    { weight: 2, arbitrary: fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/) },
    { weight: 1, arbitrary: fc.constant("x".repeat(63)) },
);
const topLevel = fc.constantFrom("com", "org", "io", "net", "example", "tls", "upstream");

/** A DNS name as users write it (sometimes upper case or with a trailing dot, which MeshEgress normalizes). */
const validDnsName = fc
    .tuple(fc.array(label, { minLength: 1, maxLength: 4 }), topLevel, fc.constantFrom("", "", "", "", ".", "UPPER"))
    .map(([labels, tld, twist]) => {
        const name = [...labels, tld].join(".");
        if (twist === ".") return `${name}.`;
        return twist === "UPPER" ? name.toUpperCase() : name;
    });
export const dnsName = mostly(
    validDnsName,
    fc.constantFrom(
        "example.123",
        "localhost",
        "a..b.com",
        "-a.com",
        "10.0.0.1",
        "svc.cluster.local",
        "a.mesh-egress.internal",
    ),
    30,
);

const namespace = mostly(
    fc.oneof(
        fc.constantFrom("default", "payments", "checkout", "team-a"),
        fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/),
    ),
    fc.constantFrom("istio-system", "kube-system", "Payments", "-x"),
    20,
);
const port = mostly(fc.constantFrom(80, 443, 8080, 5432, 27017, 9092, 3306), fc.integer({ min: 1, max: 65535 }), 8);
const ipv4 = fc
    .tuple(fc.constantFrom(10, 192, 172, 203), fc.nat(255), fc.nat(255), fc.nat(255))
    .map((o) => o.join("."));
const cidr = fc.oneof(
    fc.tuple(ipv4, fc.integer({ min: 16, max: 32 })).map(([ip, bits]) => `${ip}/${bits}`),
    fc
        .tuple(fc.nat(0xffff), fc.integer({ min: 48, max: 128 }))
        .map(([word, bits]) => `2001:db8:${word.toString(16)}::/${bits}`),
    ipv4,
);

const source = fc.record(
    { namespace, serviceAccount: fc.constantFrom("checkout", "api", "worker", "sa.with.dots") },
    { requiredKeys: ["namespace"] },
);

const MODES = ["HTTP", "TLS_PASSTHROUGH", "TLS_ORIGINATION", "MUTUAL_TLS_ORIGINATION", "TCP"] as const;

/** One external host entry, of any mode, with the options its mode takes. */
export const externalHost = fc
    .record({
        host: dnsName,
        kind: fc.constantFrom(...MODES, "WILDCARD"),
        port: fc.option(port, { freq: 2 }),
        externalPort: fc.option(port, { freq: 3 }),
        pinGatewayPort: fc.option(fc.integer({ min: 20000, max: 32767 }), { freq: 6 }),
        upstreamHost: fc.oneof(validDnsName, fc.constant("")),
        addresses: fc.option(fc.uniqueArray(cidr, { minLength: 1, maxLength: 3 }), { freq: 3 }),
        endpoints: fc.option(fc.uniqueArray(ipv4, { minLength: 1, maxLength: 2 }), { freq: 3 }),
        from: fc.option(fc.array(source, { minLength: 1, maxLength: 3 }), { freq: 3 }),
        tls: fc.option(
            fc.record(
                {
                    subjectAltNames: fc.constant(["api.example.com"]),
                    sni: validDnsName.map((name) => name.toLowerCase().replace(/\.$/, "")),
                    credentialName: fc.constant("cert"),
                },
                { requiredKeys: [] },
            ),
            { freq: 3 },
        ),
    })
    .map(({ host, kind, port, externalPort, pinGatewayPort, upstreamHost, addresses, endpoints, from, tls }) => {
        const entry: Record<string, unknown> = { host };
        if (kind === "WILDCARD" && externalPort === null) {
            // Resolved name by name at the egress point (from draws already made, so no other draw moves): HTTP, or
            // TLS origination on its default ports when a tls record was drawn (its SNI dropped, as a wildcard takes none).
            entry.host = `*.${host.replace(/\.$/, "")}`;
            if (tls === null) {
                entry.mode = "HTTP";
                if (port !== null) entry.port = port;
            } else {
                const { sni: _sni, ...options } = tls;
                entry.mode = "TLS_ORIGINATION";
                if (Object.keys(options).length > 0) entry.tls = options;
            }
            if (from !== null) entry.from = from;
            return entry as unknown as ExternalHost;
        } else if (kind === "WILDCARD") {
            const domain = host.replace(/\.$/, "");
            entry.host = `*.${domain}`;
            entry.mode = "TLS_PASSTHROUGH";
            // An upstream under the wildcard (the common case) or of another domain.
            entry.upstreamHost = upstreamHost === "" ? `www.${domain}` : upstreamHost;
        } else {
            entry.mode = kind;
        }
        if (port !== null) entry.port = port;
        if (kind === "TCP") {
            entry.port ??= 5432;
            if (addresses !== null) entry.addresses = addresses;
            if (endpoints !== null) entry.endpoints = endpoints;
        }
        if (kind === "TLS_ORIGINATION" || kind === "MUTUAL_TLS_ORIGINATION") {
            if (externalPort !== null) entry.externalPort = externalPort;
            if (tls !== null) entry.tls = tls;
            if (kind === "MUTUAL_TLS_ORIGINATION") entry.tls = { ...(tls ?? {}), credentialName: "client-credential" };
        }
        if (pinGatewayPort !== null) entry.gatewayPort = pinGatewayPort;
        if (from !== null) entry.from = from;
        return entry as unknown as ExternalHost;
    });

const cpu = mostly(fc.constantFrom("100m", "250m", "1", "2"), fc.constantFrom("lots", "-1", "5"));
const memory = mostly(fc.constantFrom("128Mi", "1Gi", "1.5Gi", "2e9"), fc.constantFrom("lots", "-1Gi", "9Gi"));
const toleration = mostly<Record<string, string>>(
    fc.constantFrom<Record<string, string>>(
        { key: "dedicated", operator: "Equal", value: "egress", effect: "NoSchedule" },
        { key: "node-role.kubernetes.io/egress", operator: "Exists" },
        { operator: "Exists" },
    ),
    fc.constantFrom<Record<string, string>>(
        { key: "dedicated", operator: "Equals", value: "egress" },
        { key: "dedicated", operator: "Exists", value: "egress" },
        { key: "dedicated", effect: "Never" },
    ),
);

/** A component name: mostly valid, sometimes long, sometimes starting with a digit. */
export const componentName = mostly(
    fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom("egress", "mesh-egress", "prod-egress") },
        { weight: 2, arbitrary: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/) },
        { weight: 1, arbitrary: fc.constant(`egress-${"long".repeat(20)}`) },
    ),
    fc.constantFrom("1egress", "Egress", "egress-"),
    20,
);

const gateway = fc.record(
    {
        name: mostly(
            fc.constantFrom("egress-gateway", "istio-egressgateway", `gw-${"y".repeat(50)}`),
            fc.constantFrom("1gw", `gw-${"y".repeat(70)}`),
            20,
        ),
        namespace: fc.constantFrom("istio-system", "egress", "istio-egress"),
        labels: fc.constantFrom({ istio: "egressgateway" }, { app: "egress", tier: "edge" }),
        replicas: mostly(fc.integer({ min: 1, max: 4 }), fc.constant(0)),
        resources: fc.record(
            {
                requests: fc.record({ cpu, memory }, { requiredKeys: [] }),
                limits: fc.constant({ cpu: "4", memory: "4Gi" }),
            },
            { requiredKeys: [] },
        ),
        tolerations: fc.array(toleration, { maxLength: 2 }),
        nodeSelector: mostly<Record<string, string>>(
            fc.constant({ "node-role.kubernetes.io/egress": "true" }),
            fc.constant({ "bad key": "x" }),
        ),
        autoscaling: fc.record(
            { minReplicas: fc.integer({ min: 1, max: 3 }), maxReplicas: fc.integer({ min: 3, max: 6 }) },
            { requiredKeys: [] },
        ),
    },
    { requiredKeys: [] },
);

/** A whole argument set. */
export const meshEgressArgs: fc.Arbitrary<MeshEgressArgs> = fc
    .record(
        {
            hosts: fc.array(externalHost, { minLength: 0, maxLength: 7 }),
            gateway,
            existingGateway: fc.option(
                fc.record({
                    selector: fc.constant({ istio: "egressgateway" }),
                    serviceName: fc.constant("istio-egressgateway"),
                    // Istio's istio-egressgateway chart sends 80 to 8080 and 443 to 8443.
                    targetPorts: fc.constantFrom({}, { "80": 8080, "443": 8443 }),
                }),
                { freq: 4, nil: undefined },
            ),
            keepMisplacedOptions: fc.nat(29),
            gatewayHopTls: fc.constantFrom("ISTIO_MUTUAL", "ISTIO_MUTUAL", "DISABLE"),
            routingApi: fc.constantFrom("ISTIO", "GATEWAY_API"),
            dataplane: fc.constantFrom("SIDECAR", "SIDECAR", "AMBIENT"),
            exportTo: fc.oneof(
                { weight: 4, arbitrary: fc.constant(["*"]) },
                {
                    weight: 1,
                    arbitrary: fc.uniqueArray(fc.oneof(namespace, fc.constant(".")), { minLength: 1, maxLength: 3 }),
                },
            ),
            antiBypass: fc.record(
                {
                    namespaces: fc.uniqueArray(namespace, { minLength: 1, maxLength: 3 }),
                    allowNamespaces: fc.uniqueArray(namespace, { maxLength: 2 }),
                },
                { requiredKeys: ["namespaces"] },
            ),
            accessLog: fc.record({ enabled: fc.boolean() }),
            // Mode and target drawn apart, so that AUDIT meets NAMESPACE_SIDECARS (a Telemetry per namespace).
            outboundTrafficPolicy: fc
                .tuple(
                    fc.option(fc.constantFrom("REGISTRY_ONLY", "ALLOW_ANY", "AUDIT", "UNMANAGED"), { nil: undefined }),
                    fc.oneof(
                        fc.constant({}),
                        fc.constant({ target: "ROOT_NAMESPACE_SIDECAR" }),
                        fc.record({
                            target: fc.constant("NAMESPACE_SIDECARS"),
                            namespaces: fc.uniqueArray(namespace, { minLength: 1, maxLength: 3 }),
                        }),
                    ),
                )
                .map(([mode, target]) => (mode ? { mode, ...target } : target)),
            // Under AMBIENT: waypoints of their own, across which the hosts are spread (gateway.shardNamespaces).
            // Drawn last, so that adding it left every other field's draws as they were.
            shardNamespaces: fc.uniqueArray(fc.constantFrom("egress-shard-a", "egress-shard-b", "egress-shard-c"), {
                maxLength: 3,
            }),
        },
        { requiredKeys: ["hosts", "keepMisplacedOptions", "shardNamespaces"] },
    )
    .map(({ existingGateway, keepMisplacedOptions, shardNamespaces, ...drawn }) => {
        // Shards only on a gateway MeshEgress deploys, and (but now and then) only under AMBIENT.
        const sharded = drawn.gateway && (drawn.dataplane === "AMBIENT" || keepMisplacedOptions === 0);
        const args =
            sharded && shardNamespaces.length > 0
                ? { ...drawn, gateway: { ...drawn.gateway, shardNamespaces } }
                : drawn;
        const shaped: Record<string, unknown> = existingGateway && !args.gateway ? { ...args, existingGateway } : args;
        // Options the arguments' own choices rule out (sources without the mutual-TLS hop, a pinned port for a host
        // that shares one) are kept only now and then.
        if (keepMisplacedOptions > 0) {
            const mutual = args.gatewayHopTls !== "DISABLE";
            shaped.hosts = args.hosts.map((h) => {
                const { from, gatewayPort, ...rest } = h as ExternalHost;
                const dedicated = h.mode === "TCP" || (h.mode === "TLS_PASSTHROUGH" && mutual);
                return {
                    ...rest,
                    ...(from && mutual ? { from } : {}),
                    ...(gatewayPort !== undefined && dedicated ? { gatewayPort } : {}),
                };
            });
        }
        if (keepMisplacedOptions > 0 && args.dataplane === "AMBIENT") return ambientShaped(shaped);
        return shaped as unknown as MeshEgressArgs;
    });

/** The options an ambient data plane rules out, dropped (kept only now and then, as the others). */
function ambientShaped(args: Record<string, unknown>): MeshEgressArgs {
    const { existingGateway: _existingGateway, routingApi: _routingApi, gatewayHopTls: _hop, ...rest } = args;
    const gateway = rest.gateway as Record<string, unknown> | undefined;
    const policy = rest.outboundTrafficPolicy as Record<string, unknown> | undefined;
    return {
        ...rest,
        ...(gateway ? { gateway: { ...gateway, labels: undefined } } : {}),
        ...(policy?.mode === "AUDIT" ? { outboundTrafficPolicy: {} } : {}),
        antiBypass: rest.antiBypass ?? { namespaces: ["default"] },
        // Wildcards become HTTP without an upstream, the one kind a waypoint routes.
        hosts: (rest.hosts as ExternalHost[])
            .filter((h) => !(h.addresses ?? []).some((a) => !/\/(32|128)$/.test(a) && a.includes("/")))
            .map(({ upstreamHost: _upstream, ...h }) =>
                h.host.startsWith("*.") ? { ...h, mode: "HTTP" as const } : h,
            ),
    } as unknown as MeshEgressArgs;
}

/** One generated case: a component name and its arguments. */
export const meshEgressCase = fc.record({ name: componentName, args: meshEgressArgs });
