// The audit report for people (a table and a host list to paste) and for programs (JSON, YAML).
import { stringify } from "yaml";
import { AuditReport } from "./report";

export const OUTPUT_FORMATS = ["table", "json", "yaml"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

function table(header: string[], rows: string[][]): string {
    const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
    const line = (cells: string[]) =>
        cells
            .map((cell, i) => cell.padEnd(widths[i]))
            .join("  ")
            .trimEnd();
    return [line(header), ...rows.map(line)].join("\n");
}

function asTable(report: AuditReport): string {
    const calls = report.destinations.reduce((sum, d) => sum + d.count, 0);
    const { read, malformed, other } = report.lines;
    const parts = [
        `Undeclared destinations: ${calls} call(s) to ${report.destinations.length} destination(s) ` +
            `(${read} lines read: ${malformed} not access-log lines, ${other} other traffic)`,
    ];
    if (report.destinations.length > 0) {
        parts.push(
            table(
                ["DESTINATION", "PORT", "PROTOCOL", "OUTCOME", "CALLS", "FIRST SEEN", "LAST SEEN", "SOURCES"],
                report.destinations.map((d) => [
                    d.destination,
                    String(d.port),
                    d.protocol,
                    d.outcome,
                    String(d.count),
                    d.firstSeen,
                    d.lastSeen,
                    d.sources
                        .map((s) => (s.serviceAccount ? `${s.namespace}/${s.serviceAccount}` : s.namespace))
                        .join(", ") || "unknown",
                ]),
            ),
        );
    }
    if (report.unreadPods.length > 0) {
        parts.push(
            ["Logs not read (not covered):", ...report.unreadPods.map((u) => `  ${u.pod}: ${u.reason}`)].join("\n"),
        );
    }
    if (report.declaredUnused.length > 0) parts.push(`Declared but never used: ${report.declaredUnused.join(", ")}`);
    if (report.notProposed.length > 0) {
        parts.push(["Not proposed:", ...report.notProposed.map((n) => `  ${n.destination}: ${n.reason}`)].join("\n"));
    }
    parts.push(
        report.proposal.length > 0
            ? `Proposed hosts (review, then paste into MeshEgress's hosts):\n${stringify(report.proposal).trimEnd()}`
            : "Nothing to propose.",
    );
    return `${parts.join("\n\n")}\n`;
}

export function render(report: AuditReport, format: OutputFormat): string {
    switch (format) {
        case "json":
            return `${JSON.stringify(report, null, 2)}\n`;
        case "yaml":
            return stringify(report);
        case "table":
            return asTable(report);
    }
}
