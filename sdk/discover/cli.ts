#!/usr/bin/env node
// `mesh-egress discover`: reads the access logs an audit (outboundTrafficPolicy.mode AUDIT) produces and prints what
// the mesh called that MeshEgress does not declare, who called it, and a host list that allows exactly that.
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { parse } from "yaml";
import { connect } from "../cluster/kubeApi";
import { parseAccessLogLine } from "./accessLog";
import { OUTPUT_FORMATS, OutputFormat, render } from "./render";
import { AuditReport, CallSource, LineCounts, SourcedRecord, UnreadPod, auditReport } from "./report";
import { SourcedLine, fileLines, podLogLines } from "./sources";

export const USAGE = `usage: mesh-egress discover [options]

Reads Envoy access logs (Istio's default text or JSON format) and reports the undeclared hosts the mesh called,
the declared hosts nobody used, and a proposed hosts list for MeshEgress.

Where the logs come from (at least one):
  --namespace NS          the istio-proxy log of every pod in NS, through the Kubernetes API (repeatable)
  --gateway NS:SELECTOR   also the egress gateway pods' logs, to see which declared hosts are used
                          (e.g. istio-system:app=egress-gateway)
  --since DURATION        pod logs from the last DURATION: 90s, 30m, 24h, 7d (default 24h)
  --kubeconfig PATH       (default: $KUBECONFIG or ~/.kube/config)   --context NAME
  --file PATH             access-log lines from a file (repeatable)
  --source NS[/SA]        the namespace and service account of the pod whose log --file is

What to compare with, and how to print:
  --declared FILE         the hosts MeshEgress declares today: YAML or JSON, a hosts list or { hosts: [...] }
  --output FORMAT         table (default), json or yaml
`;

/** A usage error: the message and the usage, exit status 2. */
export class UsageError extends Error {}

const DURATION = /^(\d+)(s|m|h|d)$/;
const SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;

function seconds(text: string): number {
    const match = DURATION.exec(text);
    if (!match || Number(match[1]) === 0) {
        throw new UsageError(`--since ${JSON.stringify(text)} is not a duration like 90s, 30m, 24h or 7d`);
    }
    return Number(match[1]) * SECONDS[match[2] as keyof typeof SECONDS];
}

function callSource(text: string | undefined): CallSource | undefined {
    if (text === undefined) return undefined;
    const [namespace, serviceAccount, ...rest] = text.split("/");
    if (!namespace || rest.length > 0) throw new UsageError(`--source ${JSON.stringify(text)} is not NS or NS/SA`);
    return serviceAccount ? { namespace, serviceAccount } : { namespace };
}

function gatewaySelection(text: string | undefined) {
    if (text === undefined) return undefined;
    const at = text.indexOf(":");
    if (at <= 0 || at === text.length - 1) {
        throw new UsageError(
            `--gateway ${JSON.stringify(text)} is not NS:SELECTOR, e.g. istio-system:app=egress-gateway`,
        );
    }
    return { namespace: text.slice(0, at), labelSelector: text.slice(at + 1) };
}

function declaredHosts(path: string | undefined): string[] {
    if (path === undefined) return [];
    const document = parse(fs.readFileSync(path, "utf8"));
    const hosts = Array.isArray(document) ? document : document?.hosts;
    if (!Array.isArray(hosts))
        throw new UsageError(`--declared ${path} holds neither a hosts list nor { hosts: [...] }`);
    return hosts.map((entry) => (typeof entry === "string" ? entry : entry?.host)).filter((h) => typeof h === "string");
}

async function* records(lines: AsyncIterable<SourcedLine>, counts: LineCounts): AsyncGenerator<SourcedRecord> {
    for await (const { line, source } of lines) {
        counts.read++;
        const record = parseAccessLogLine(line);
        if (record) yield { record, source };
        else counts.malformed++;
    }
}

async function collect(iterable: AsyncIterable<SourcedRecord>): Promise<SourcedRecord[]> {
    const all: SourcedRecord[] = [];
    for await (const item of iterable) all.push(item);
    return all;
}

/** Runs `discover` with `argv` (after the command name); returns the report's text. */
export async function discover(argv: string[], progress: (done: number, total: number) => void): Promise<string> {
    const { values } = parseArgs({
        args: argv,
        options: {
            namespace: { type: "string", multiple: true, default: [] },
            gateway: { type: "string" },
            since: { type: "string" },
            kubeconfig: { type: "string" },
            context: { type: "string" },
            file: { type: "string", multiple: true, default: [] },
            source: { type: "string" },
            declared: { type: "string" },
            output: { type: "string", default: "table" },
        },
        strict: true,
    });
    const format = values.output as OutputFormat;
    if (!OUTPUT_FORMATS.includes(format)) {
        throw new UsageError(`--output ${JSON.stringify(values.output)} is not one of ${OUTPUT_FORMATS.join(", ")}`);
    }
    if (values.namespace.length === 0 && values.file.length === 0) {
        throw new UsageError("give the logs to read: --namespace NS (pod logs) or --file PATH");
    }
    if (values.namespace.length === 0) {
        const podOnly = (["gateway", "since"] as const).filter((o) => values[o] !== undefined);
        if (podOnly.length > 0) {
            throw new UsageError(
                `--${podOnly[0]} applies to pod logs: add --namespace NS, or leave it out with --file`,
            );
        }
    }
    const counts: LineCounts = { read: 0, malformed: 0, other: 0 };
    const found: SourcedRecord[] = await collect(records(fileLines(values.file, callSource(values.source)), counts));
    const unread: UnreadPod[] = [];
    if (values.namespace.length > 0) {
        const kubeconfig = values.kubeconfig === undefined ? undefined : fs.readFileSync(values.kubeconfig, "utf8");
        const api = await connect({ kubeconfig, context: values.context, origin: `--kubeconfig ${values.kubeconfig}` });
        const selection = {
            namespaces: [...new Set(values.namespace)],
            gateway: gatewaySelection(values.gateway),
            sinceSeconds: seconds(values.since ?? "24h"),
        };
        const lines = podLogLines(api, selection, progress, unread);
        found.push(...(await collect(records(lines, counts))));
    }
    const report: AuditReport = auditReport(found, counts, declaredHosts(values.declared), unread);
    return render(report, format);
}

async function main(argv: string[]): Promise<number> {
    const [command, ...rest] = argv;
    if (command === "--help" || command === "-h" || command === undefined) {
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
    }
    if (command !== "discover") {
        process.stderr.write(`mesh-egress: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
        return 2;
    }
    const interactive = process.stderr.isTTY;
    // On a terminal, one line that counts up; in a log, the start, every tenth and the end.
    const progress = (done: number, total: number) => {
        const step = Math.max(1, Math.floor(total / 10));
        const line = `reading istio-proxy logs: ${done}/${total} pods`;
        if (interactive) process.stderr.write(`\r${line}${done === total ? "\n" : ""}`);
        else if (done === 0 || done === total || done % step === 0) process.stderr.write(`${line}\n`);
    };
    try {
        const text = await discover(rest, progress);
        process.stdout.write(text);
        return 0;
    } catch (error) {
        const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
        process.stderr.write(`mesh-egress discover: ${(error as Error).message}\n${usage ? `\n${USAGE}` : ""}`);
        return usage ? 2 : 1;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then((status) => (process.exitCode = status));
}
