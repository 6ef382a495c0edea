// Generated MeshEgress arguments (fast-check), for the invariant suites: the Istio simulator's no-bypass check
// (test/dataplane), the real API server's acceptance (test/e2e/invariants), and the construction properties
// (test/unit/invariants). They mix what users write with what breaks things: names that end in a role ("tls",
// "upstream"), long names, numeric labels, wildcards served from another domain, overlapping CIDRs, ports shared
// across modes, duplicates, quantities and tolerations Kubernetes rejects, Outputs-free plain values only.
import fc from "fast-check";
import { ExternalHost, MeshEgressArgs } from "../../sdk";

const label = fc.oneof(
    { weight: 6, arbitrary: fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/) },
    { weight: 2, arbitrary: fc.constantFrom("tls", "upstream", "star", "to", "egress", "api", "www", "xn--p1ai") },
    { weight: 1, arbitrary: fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/) },
    { weight: 1, arbitrary: fc.constant("x".repeat(63)) },
    { weight: 1, arbitrary: fc.stringMatching(/^[0-9]{1,3}$/) },
);
const topLevel = fc.constantFrom("com", "org", "io", "net", "example", "tls", "upstream", "123");

/** A DNS name (sometimes invalid: an all-numeric TLD, upper case, a trailing dot). */
export const dnsName = fc
    .tuple(fc.array(label, { minLength: 1, maxLength: 4 }), topLevel, fc.constantFrom("", "", "", ".", "UPPER"))
    .map(([labels, tld, twist]) => {
        const name = [...labels, tld].join(".");
        if (twist === ".") return `${name}.`;
        if (twist === "UPPER") return name.toUpperCase();
        return name;
    });

const namespace = fc.oneof(
    fc.constantFrom("default", "payments", "checkout", "team-a", "istio-system", "kube-system"),
    fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/),
);
const port = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(80, 443, 8080, 5432, 27017, 9092) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 65535 }) },
);
const ipv4 = fc
    .tuple(fc.constantFrom(10, 192, 172, 203), fc.nat(255), fc.nat(255), fc.nat(255))
    .map((o) => o.join("."));
const cidr = fc.oneof(
    fc.tuple(ipv4, fc.integer({ min: 8, max: 32 })).map(([ip, bits]) => `${ip}/${bits}`),
    fc
        .tuple(fc.nat(0xffff), fc.integer({ min: 32, max: 128 }))
        .map(([word, bits]) => `2001:db8:${word.toString(16)}::/${bits}`),
    ipv4,
);

const source = fc.record(
    { namespace, serviceAccount: fc.constantFrom("checkout", "api", "worker", "sa.with.dots") },
    { requiredKeys: ["namespace"] },
);

/** One external host entry, of any mode, with the options that mode takes (and sometimes ones it does not). */
export const externalHost: fc.Arbitrary<ExternalHost> = fc
    .record(
        {
            host: dnsName,
            wildcard: fc.boolean(),
            mode: fc.constantFrom("HTTP", "TLS_PASSTHROUGH", "TLS_ORIGINATION", "MUTUAL_TLS_ORIGINATION", "TCP"),
            port,
            externalPort: port,
            gatewayPort: fc.integer({ min: 20000, max: 32767 }),
            upstreamHost: dnsName,
            addresses: fc.uniqueArray(cidr, { minLength: 1, maxLength: 3 }),
            endpoints: fc.uniqueArray(ipv4, { minLength: 1, maxLength: 2 }),
            from: fc.array(source, { minLength: 1, maxLength: 3 }),
            tls: fc.record(
                {
                    credentialName: fc.constantFrom("client-credential", "partner.cert"),
                    subjectAltNames: fc.constant(["api.example.com"]),
                    sni: dnsName,
                },
                { requiredKeys: [] },
            ),
        },
        {
            requiredKeys: ["host", "wildcard", "mode"],
        },
    )
    .map(({ host, wildcard, ...rest }) => {
        const entry: Record<string, unknown> = { host: wildcard ? `*.${host}` : host, ...rest };
        // Mostly keep options with the modes that take them, so most generated sets are accepted.
        if (entry.mode !== "TCP") {
            delete entry.addresses;
            delete entry.endpoints;
        } else if (entry.port === undefined) {
            entry.port = 5432;
        }
        if (entry.mode !== "TLS_ORIGINATION" && entry.mode !== "MUTUAL_TLS_ORIGINATION") {
            delete entry.tls;
            delete entry.externalPort;
        }
        if (entry.mode === "MUTUAL_TLS_ORIGINATION") {
            entry.tls = { credentialName: "client-credential", ...(entry.tls as object) };
        }
        if (!wildcard) delete entry.upstreamHost;
        else entry.mode = "TLS_PASSTHROUGH";
        return entry as unknown as ExternalHost;
    });

const quantity = fc.constantFrom("100m", "1", "2", "128Mi", "1Gi", "1.5Gi", "2e9", "lots", "-1");
const toleration = fc.record(
    {
        key: fc.constantFrom("dedicated", "node-role.kubernetes.io/egress", ""),
        operator: fc.constantFrom("Equal", "Exists", "Equals"),
        value: fc.constantFrom("egress", ""),
        effect: fc.constantFrom("NoSchedule", "NoExecute", "", "Never"),
    },
    { requiredKeys: [] },
);

/** A component name: mostly valid, sometimes long, sometimes starting with a digit. */
export const componentName = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom("egress", "mesh-egress", "prod-egress") },
    { weight: 2, arbitrary: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/) },
    { weight: 1, arbitrary: fc.constant(`egress-${"long".repeat(20)}`) },
    { weight: 1, arbitrary: fc.constantFrom("1egress", "Egress", "egress-") },
);

/** A whole argument set. */
export const meshEgressArgs: fc.Arbitrary<MeshEgressArgs> = fc
    .record(
        {
            hosts: fc.array(externalHost, { minLength: 0, maxLength: 6 }),
            gateway: fc.record(
                {
                    name: fc.constantFrom("egress-gateway", "istio-egressgateway", "1gw", `gw-${"y".repeat(70)}`),
                    namespace: fc.constantFrom("istio-system", "egress", "istio-egress"),
                    labels: fc.constantFrom({ istio: "egressgateway" }, { app: "egress", tier: "edge" }),
                    replicas: fc.integer({ min: 0, max: 4 }),
                    resources: fc.record({
                        requests: fc.record({ cpu: quantity, memory: quantity }, { requiredKeys: [] }),
                        limits: fc.record({ cpu: quantity, memory: quantity }, { requiredKeys: [] }),
                    }),
                    tolerations: fc.array(toleration, { maxLength: 2 }),
                    nodeSelector: fc.constantFrom({ "node-role.kubernetes.io/egress": "true" }, { "bad key": "x" }),
                    autoscaling: fc.record(
                        {
                            minReplicas: fc.integer({ min: 1, max: 3 }),
                            maxReplicas: fc.integer({ min: 1, max: 6 }),
                        },
                        { requiredKeys: [] },
                    ),
                },
                { requiredKeys: [] },
            ),
            gatewayHopTls: fc.constantFrom("ISTIO_MUTUAL", "DISABLE"),
            exportTo: fc.oneof(
                fc.constant(["*"]),
                fc.uniqueArray(fc.oneof(namespace, fc.constant(".")), { minLength: 1, maxLength: 3 }),
            ),
            antiBypass: fc.record(
                {
                    namespaces: fc.uniqueArray(namespace, { minLength: 1, maxLength: 3 }),
                    allowNamespaces: fc.uniqueArray(namespace, { maxLength: 2 }),
                },
                { requiredKeys: ["namespaces"] },
            ),
            accessLog: fc.record({ enabled: fc.boolean() }),
            outboundTrafficPolicy: fc.oneof(
                fc.record({ mode: fc.constantFrom("REGISTRY_ONLY", "ALLOW_ANY", "UNMANAGED") }),
                fc.constant({ target: "ROOT_NAMESPACE_SIDECAR" }),
                fc.record({
                    target: fc.constant("NAMESPACE_SIDECARS"),
                    namespaces: fc.uniqueArray(namespace, { minLength: 1, maxLength: 2 }),
                }),
            ),
        },
        { requiredKeys: ["hosts"] },
    )
    .map((args) => args as unknown as MeshEgressArgs);

/** One generated case: a component name and its arguments. */
export const meshEgressCase = fc.record({ name: componentName, args: meshEgressArgs });
