// Which process of a `pulumi` run spends the CPU: the engine (the CLI itself), the Node.js program, the Kubernetes
// provider, ... and, against a cluster, the local kube-apiserver and etcd answering it. The kernel only reports the
// whole tree's total to whoever waits for it, so the tree is sampled from /proc while it runs; a process's last
// fraction of a sampling interval is missed.
import * as fs from "node:fs";

export const ROLES = [
    "engine",
    "program",
    "kubernetes provider",
    "kube-apiserver + etcd",
    "dynamic provider",
    "language host",
    "other",
] as const;
export type Role = (typeof ROLES)[number];

/** The kernel's USER_HZ: /proc reports CPU time in these ticks (100 on every Linux ABI Node.js runs on). */
const TICKS_PER_SECOND = 100;

function role(cmdline: string[]): Role {
    const [exe, ...args] = cmdline;
    const all = cmdline.join(" ");
    if (exe.endsWith("/pulumi") || exe === "pulumi") return "engine";
    if (all.includes("@pulumi/pulumi/cmd/run")) return "program";
    if (all.includes("@pulumi/pulumi/cmd/dynamic-provider")) return "dynamic provider";
    if (exe.endsWith("pulumi-resource-kubernetes")) return "kubernetes provider";
    if (exe.endsWith("pulumi-language-nodejs") || args.some((a) => a.endsWith("pulumi-language-nodejs")))
        return "language host";
    return "other";
}

/** [parent pid, CPU ms] of a process, or undefined when it is gone. */
function stat(pid: number): [number, number] | undefined {
    try {
        // The command name (2nd field) may contain spaces: the fields after it follow its closing parenthesis.
        const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ").pop()!.split(" ");
        return [Number(fields[1]), ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND];
    } catch {
        return undefined;
    }
}

export class CpuByRole {
    private readonly last = new Map<number, { role: Role; cpuMs: number }>();
    /** CPU ms of each server process at the first and the latest sample. */
    private readonly servers = new Map<number, [number, number]>();

    /** `servers`: processes outside the tree whose CPU during the run counts too (the cluster's). */
    constructor(
        private readonly root: number,
        serverPids: number[],
    ) {
        for (const pid of serverPids) this.servers.set(pid, [stat(pid)?.[1] ?? 0, 0]);
    }

    /** Records the CPU time every process below the root has used so far. */
    sample(): void {
        const parents = new Map<number, number>();
        const cpu = new Map<number, number>();
        for (const entry of fs.readdirSync("/proc")) {
            if (!/^\d+$/.test(entry)) continue;
            const s = stat(Number(entry));
            if (!s) continue;
            parents.set(Number(entry), s[0]);
            cpu.set(Number(entry), s[1]);
        }
        const inTree = (pid: number): boolean => {
            for (let p: number | undefined = pid; p !== undefined && p > 1; p = parents.get(p))
                if (p === this.root) return true;
            return false;
        };
        for (const [pid, cpuMs] of cpu) {
            const server = this.servers.get(pid);
            if (server) server[1] = cpuMs;
            if (!inTree(pid)) continue;
            // A process may exec another program (a plugin's shell wrapper execs Node.js): look again until known.
            const known = this.last.get(pid);
            this.last.set(pid, { role: known && known.role !== "other" ? known.role : this.roleOf(pid), cpuMs });
        }
    }

    totals(): Record<Role, number> {
        const totals = Object.fromEntries(ROLES.map((r) => [r, 0])) as Record<Role, number>;
        for (const { role, cpuMs } of this.last.values()) totals[role] += cpuMs;
        for (const [first, latest] of this.servers.values())
            totals["kube-apiserver + etcd"] += Math.max(0, latest - first);
        return totals;
    }

    private roleOf(pid: number): Role {
        try {
            return role(fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean));
        } catch {
            return "other";
        }
    }
}
