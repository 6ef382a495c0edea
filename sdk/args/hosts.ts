// The external hosts: what the app sends, what leaves the gateway, and who may send it.

/**
 * How an application reaches an external host, and what the egress gateway does with it. Each mode is one of
 * Istio's documented egress-gateway recipes; docs/modes.md has the table "what your app sends × what leaves the gateway".
 */
export const EgressMode = {
    /** The app sends plain HTTP; the gateway routes it by `Host` and forwards plain HTTP. */
    Http: "HTTP",
    /**
     * The app sends TLS (e.g. HTTPS on 443); the gateway forwards the encrypted stream untouched. With the mutual-TLS
     * hop the host gets a gateway port of its own (the gateway cannot see the app's SNI inside the mTLS tunnel).
     */
    TlsPassthrough: "TLS_PASSTHROUGH",
    /** The app sends plain HTTP; the gateway opens TLS to the host (`externalPort`, default 443). */
    TlsOrigination: "TLS_ORIGINATION",
    /**
     * The app sends plain HTTP; the gateway opens mutual TLS to the host with the client certificate in
     * `tls.credentialName` (a Secret in the gateway namespace).
     */
    MutualTlsOrigination: "MUTUAL_TLS_ORIGINATION",
    /**
     * The app opens a TCP connection to `port`; the gateway forwards the bytes to the host (DNS), to its `endpoints`,
     * for the CIDRs in `addresses`. Always on a gateway port of its own.
     */
    Tcp: "TCP",
} as const;
export type EgressMode = (typeof EgressMode)[keyof typeof EgressMode];

/** How the egress gateway verifies an external host when it originates TLS to it. */
export interface OriginationTls {
    /**
     * A Secret in the gateway namespace. For `MUTUAL_TLS_ORIGINATION` it must hold the client certificate
     * (`tls.crt`, `tls.key`) and may hold the CA (`ca.crt`); for `TLS_ORIGINATION` it may hold the CA (`ca.crt`).
     * MeshEgress lets the gateway read it (Role and RoleBinding).
     *
     * Default: none; required for `MUTUAL_TLS_ORIGINATION`.
     * Example: `"client-credential"`.
     */
    credentialName?: string;
    /**
     * Path, inside the gateway pods, of a CA bundle to verify the host with; mutually exclusive with
     * `credentialName`.
     *
     * Default: `"/etc/ssl/certs/ca-certificates.crt"` (the proxy image's system roots) unless `credentialName` is set.
     * Example: `"/etc/ssl/certs/ca-certificates.crt"`.
     */
    caCertificates?: string;
    /**
     * Names the host's certificate must carry.
     *
     * Default: any name the CA vouches for.
     * Example: `["api.example.com"]`.
     */
    subjectAltNames?: string[];
    /**
     * SNI the gateway sends.
     *
     * Default: the host.
     */
    sni?: string;
}

/** A workload allowed to reach a host through the gateway, identified by its mesh identity. */
export interface AllowedSource {
    /**
     * The client's namespace.
     *
     * Example: `"payments"`.
     */
    namespace: string;
    /**
     * The client's ServiceAccount; without it, every workload of the namespace. (Istio authorizes callers by
     * identity, not by pod labels: give the workloads to single out a ServiceAccount of their own.)
     *
     * Default: every ServiceAccount of the namespace.
     * Example: `"checkout"`.
     */
    serviceAccount?: string;
}

/** One external host the mesh may reach through the egress gateway. */
export interface ExternalHost {
    /**
     * The external host's DNS name. Matched case-insensitively: it is lower-cased and a trailing dot is dropped.
     * It names the host's Kubernetes objects, so renaming a host replaces them. A leading `*.` declares a wildcard:
     * with `HTTP` or TLS origination the egress gateway (or waypoint) resolves and connects to each name a request
     * asks for (Istio 1.31; docs/modes.md); with `TLS_PASSTHROUGH` every name goes to `upstreamHost`.
     *
     * Example: `"aliyun.com"`, `"*.s3.eu-west-1.amazonaws.com"`.
     */
    host: string;
    /**
     * What the application sends and what the gateway forwards.
     *
     * Default: `"HTTP"`.
     */
    mode?: EgressMode;
    /**
     * The port the application connects to.
     *
     * Default: `443` for `TLS_PASSTHROUGH`, `80` for the HTTP modes; required for `TCP`.
     * Example: `8080`.
     */
    port?: number;
    /**
     * The host's port the gateway connects to, when it originates TLS.
     *
     * Default: `443` for the origination modes; `port` otherwise.
     */
    externalPort?: number;
    /**
     * The gateway port of a host that gets one of its own (`TCP`, and `TLS_PASSTHROUGH` with the mutual-TLS hop).
     * Without it the port is derived from the host, in 20000-32767 (docs/modes.md, "Gateway ports").
     *
     * Default: derived from the host.
     * Example: `20443`.
     */
    gatewayPort?: number;
    /**
     * For a `TLS_PASSTHROUGH` wildcard host (`*.example.com`): the one concrete server that serves every name
     * under it; the gateway sends all of them there (Istio's "single hosting server" recipe). The gateway cannot
     * resolve the names of a TLS wildcard itself (it sees only the hop's SNI), so this is required there; an `HTTP`
     * or origination wildcard takes none, as its names are resolved one by one.
     *
     * Default: none; required for a `TLS_PASSTHROUGH` wildcard host.
     * Example: `"www.wikipedia.org"`.
     */
    upstreamHost?: string;
    /**
     * For `TCP`: the destination's addresses or CIDRs, which is how sidecars recognise its traffic. Two TCP hosts on
     * one port need distinct addresses.
     *
     * Default: `[]`: the destination is known by its port alone, which no other TCP host may then use.
     * Example: `["192.0.2.0/24"]`.
     */
    addresses?: string[];
    /**
     * For `TCP`: the destination's IP addresses (`resolution: STATIC`). Without them the gateway resolves `host` with
     * DNS. (`resolution: NONE` is never used: through a gateway it would send the traffic back to the gateway.)
     *
     * Default: `[]`: the gateway resolves `host` with DNS.
     * Example: `["192.0.2.10", "192.0.2.11"]`.
     */
    endpoints?: string[];
    /**
     * The workloads allowed to reach this host through the gateway (AuthorizationPolicy on the gateway, which needs
     * the `ISTIO_MUTUAL` hop). Without it every workload of the mesh may.
     *
     * Default: every workload.
     * Example: `[{ namespace: "payments" }]`.
     */
    from?: AllowedSource[];
    /**
     * How the gateway verifies the host, for the origination modes.
     *
     * Default: verify against the system roots, SNI = the host.
     */
    tls?: OriginationTls;
}
