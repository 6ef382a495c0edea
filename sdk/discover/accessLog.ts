// Envoy access-log lines as Istio writes them: its default text format (pilot/pkg/model/telemetry_logging.go,
// EnvoyTextLogFormat, the same as docs "Envoy Access Logs" › "Default access log format") or its default JSON format
// (accessLogEncoding: JSON). Anything else on the stream (pilot-agent's own log lines, custom formats) is not an
// access-log line; the reader counts and skips it.

/** The fields of an access-log line that discovery uses. */
export interface AccessLogRecord {
    startTime: string;
    /** `HTTP/1.1`, `HTTP/2`, … or `-` for a TCP connection. */
    protocol: string;
    responseFlags: string;
    /** The HTTP Host / :authority, "" when none (TCP). */
    authority: string;
    /** Envoy's cluster: `PassthroughCluster`, `BlackHoleCluster`, `outbound|443||api.example.com`, … */
    upstreamCluster: string;
    /** Where the app connected to (its original destination), `ip:port`. */
    downstreamLocalAddress: string;
    /** The TLS SNI, "" when none. */
    requestedServerName: string;
    /** The route that answered, "" when none: `block_all` is REGISTRY_ONLY's answer to an undeclared HTTP host. */
    routeName: string;
}

// Envoy does not escape quotes inside the quoted fields, and X-Forwarded-For and User-Agent are the caller's to
// choose: the line is read from both ends, so whatever those two hold cannot hide a call from the audit.
const TEXT_HEAD = new RegExp(
    [
        String.raw`^\[(?<startTime>[^\]]+)\]`,
        String.raw`"(?<method>\S+) (?<path>\S+) (?<protocol>[^"]+)"`,
        String.raw`(?<responseCode>\S+)`,
        String.raw`(?<responseFlags>\S+)`,
        String.raw`(?<responseCodeDetails>\S+)`,
        String.raw`(?<connectionTerminationDetails>\S+)`,
        String.raw`"(?<upstreamTransportFailureReason>[^"]*)"`,
        String.raw`(?<bytesReceived>\S+)`,
        String.raw`(?<bytesSent>\S+)`,
        String.raw`(?<duration>\S+)`,
        String.raw`(?<upstreamServiceTime>\S+)`,
        String.raw`"`,
    ].join(" +"),
);
const TEXT_TAIL = new RegExp(
    [
        String.raw`" +"(?<requestId>[^"]*)"`,
        String.raw`"(?<authority>[^" ]*)"`,
        String.raw`"(?<upstreamHost>[^"]*)"`,
        String.raw`(?<upstreamCluster>\S+)`,
        String.raw`(?<upstreamLocalAddress>\S+)`,
        String.raw`(?<downstreamLocalAddress>\S+)`,
        String.raw`(?<downstreamRemoteAddress>\S+)`,
        String.raw`(?<requestedServerName>\S+)`,
        String.raw`(?<routeName>\S+)$`,
    ].join(" +"),
);

/** Envoy writes "-" for a value it does not have. */
const value = (text: unknown): string => (typeof text !== "string" || text === "-" ? "" : text);

function fromJson(line: string): AccessLogRecord | undefined {
    let entry: Record<string, unknown>;
    try {
        entry = JSON.parse(line);
    } catch {
        return undefined;
    }
    if (entry === null || typeof entry !== "object") return undefined;
    // A request answered without an upstream (REGISTRY_ONLY's block_all) has a null cluster.
    if (typeof entry.upstream_cluster !== "string" && entry.upstream_cluster !== null) return undefined;
    if (typeof entry.downstream_local_address !== "string") return undefined;
    return {
        startTime: value(entry.start_time),
        protocol: typeof entry.protocol === "string" ? entry.protocol : "-",
        responseFlags: value(entry.response_flags),
        authority: value(entry.authority),
        upstreamCluster: value(entry.upstream_cluster),
        downstreamLocalAddress: value(entry.downstream_local_address),
        requestedServerName: value(entry.requested_server_name),
        routeName: value(entry.route_name),
    };
}

/** The record of one line, or undefined when the line is not an access-log line in either of Istio's formats. */
export function parseAccessLogLine(line: string): AccessLogRecord | undefined {
    const trimmed = line.trim();
    if (trimmed.startsWith("{")) return fromJson(trimmed);
    const head = TEXT_HEAD.exec(trimmed);
    const tail = TEXT_TAIL.exec(trimmed);
    if (!head?.groups || !tail?.groups || tail.index < head[0].length - 1) return undefined;
    const fields = { ...head.groups, ...tail.groups };
    return {
        startTime: fields.startTime,
        protocol: fields.protocol,
        responseFlags: value(fields.responseFlags),
        authority: value(fields.authority),
        upstreamCluster: value(fields.upstreamCluster),
        downstreamLocalAddress: value(fields.downstreamLocalAddress),
        requestedServerName: value(fields.requestedServerName),
        routeName: value(fields.routeName),
    };
}
