// The pure part of MeshEgress, without Pulumi: objects per host by mode (from the plan), and the time of
// validateArgs + buildPlan as the host count doubles (per-host work should stay constant).
//
//   plan.ts [--smoke]
import { EgressMode, ExternalHost } from "../sdk/args";
import { buildPlan } from "../sdk/plan";
import { validateArgs } from "../sdk/validate";
import { benchArgs, median } from "./scenario";

/**
 * One example host per mode; the objects Istio's documentation uses for that mode (istio.io, Tasks → Traffic
 * Management → Egress); and how Alibaba Cloud ASM covers it: the seed's manual steps, or an entry of its
 * ASMEgressTrafficPolicy custom resource. A mode missing here shows up in the table as not measured, so new modes get
 * noticed.
 */
const MODES: Record<string, KnownRecipe> = {
    HTTP: {
        example: { host: "example.com" },
        istio: '4: ServiceEntry, Gateway, DestinationRule (gateway subset), VirtualService ("Egress Gateways", HTTP)',
        asm: "the seed: 3 by hand (ServiceEntry, Gateway, VirtualService; no DestinationRule); policy: a `to` entry",
    },
    TLS_PASSTHROUGH: {
        example: { host: "example.com", mode: EgressMode.TlsPassthrough },
        istio: '4: the same kinds, Gateway PASSTHROUGH, `tls` routes ("Egress Gateways", HTTPS)',
        asm: "policy: a `to` entry with a gateway port of its own (444, 445, …; v1 allocates from 10001)",
    },
    TLS_ORIGINATION: {
        example: { host: "example.com", mode: EgressMode.TlsOrigination },
        istio: '5: the four + a DestinationRule that originates TLS ("Egress Gateways with TLS Origination")',
        asm: "policy: a `to` entry with `httpsUpgrade`",
    },
    MUTUAL_TLS_ORIGINATION: {
        example: { host: "example.com", mode: EgressMode.MutualTlsOrigination, tls: { credentialName: "client-cred" } },
        istio: "5 + the client-certificate Secret (yours): as TLS origination, with `MUTUAL` and `credentialName`",
        asm: "by hand only (ASM's guide to external mTLS services); not in the policy",
    },
    TCP: {
        example: {
            host: "example.com",
            mode: EgressMode.Tcp,
            port: 5432,
            addresses: ["192.0.2.0/24"],
            endpoints: ["192.0.2.10"],
        },
        istio: '4: ServiceEntry, Gateway, DestinationRule, VirtualService with `tcp` routes (blog "Consuming External MongoDB Services")',
        asm: "by hand only: the policy has no addresses (CIDR) for TCP",
    },
};

interface KnownRecipe {
    example: ExternalHost;
    istio: string;
    asm: string;
}

/** Variants within a mode that change the object count. */
const VARIANTS: Record<string, KnownRecipe> = {
    "TLS_PASSTHROUGH, wildcard `*.example.com` with `upstreamHost`": {
        example: { host: "*.example.com", mode: EgressMode.TlsPassthrough, upstreamHost: "www.example.com" },
        istio: '5: the four + a ServiceEntry for the upstream server ("Egress using Wildcard Hosts", single hosting server)',
        asm: "by hand only: the policy has no wildcard semantics",
    },
};

function objectsPerHost(): string[] {
    const row = (label: string, known: KnownRecipe | undefined) => {
        if (!known) return `| ${label} | not measured: add an example to MODES in bench/plan.ts | | |`;
        const plan = buildPlan(validateArgs("egress", { hosts: [known.example] }));
        const mine = plan.objects.filter((o) => o.host === known.example.host);
        return `| ${label} | ${mine.length} (${mine.map((o) => o.manifest.kind).join(", ")}) | ${known.istio} | ${known.asm} |`;
    };
    const rows = [
        ...Object.values(EgressMode).map((mode) => row(mode, MODES[mode])),
        ...Object.entries(VARIANTS).map(([label, known]) => row(label, known)),
    ];
    // Shared objects do not grow with the host count: counted once from a plan with one host of each known mode.
    const examples = Object.values(MODES).map(({ example }, i) => ({ ...example, host: `h${i}.example.com` }));
    const mixed = buildPlan(validateArgs("egress", { hosts: examples }));
    const shared = mixed.objects.filter((o) => o.host === undefined).map((o) => o.manifest.kind);
    return [
        "#### Objects per host",
        "",
        "| mode | MeshEgress objects per host | Istio's documented recipe | Alibaba Cloud ASM |",
        "|---|---|---|---|",
        ...rows,
        "",
        "ASM's policy is one `ASMEgressTrafficPolicy` per gateway, from which ASM generates ServiceEntries, " +
            "VirtualServices, Gateways, DestinationRules and a Sidecar; its documentation names the kinds, not how " +
            "many per host. MeshEgress creates no Sidecar: REGISTRY_ONLY comes from the mesh config (or a Sidecar " +
            "when `outboundTrafficPolicy` says so).",
        "",
        `Shared, once per component (not per host): ${shared.length} objects (${shared.join(", ")}) plus the ` +
            `\`MeshConfigOutboundMode\` resource${mixed.meshConfigEdit ? "" : " (absent here)"}. A new port adds a ` +
            "port to the gateway Service, not an object.",
    ];
}

/** Median ms of `fn` over `repeats` runs, after one warm-up run; each run starts from a collected heap. */
function time(fn: () => void, repeats: number): number {
    fn();
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) {
        // Without this, collecting the previous run's garbage lands in a random later run (run with --expose-gc).
        (global as any).gc?.();
        const t0 = process.hrtime.bigint();
        fn();
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    return median(times);
}

function pureScaling(smoke: boolean): string[] {
    const sizes = smoke ? [10, 20] : [1000, 2000, 4000, 8000, 16000];
    const repeats = smoke ? 1 : 15;
    const rows: string[] = [];
    let previous: number | undefined;
    for (const n of sizes) {
        const args = benchArgs(n);
        const validate = time(() => validateArgs("egress", args), repeats);
        const normalized = validateArgs("egress", args);
        const plan = time(() => buildPlan(normalized), repeats);
        const both = validate + plan;
        const doubling = previous === undefined ? "" : (both / previous).toFixed(2);
        rows.push(
            `| ${n} | ${validate.toFixed(2)} | ${plan.toFixed(2)} | ${both.toFixed(2)} | ` +
                `${((1000 * both) / n).toFixed(2)} | ${doubling} |`,
        );
        previous = both;
    }
    return [
        "#### validateArgs + buildPlan alone (no Pulumi)",
        "",
        `In one process, warm (one warm-up run), median of ${repeats}. Host mix as above.`,
        "",
        "| hosts | validateArgs ms | buildPlan ms | total ms | µs per host | t(N)/t(N/2) |",
        "|---:|---:|---:|---:|---:|---:|",
        ...rows,
    ];
}

/**
 * The check this benchmark once found quadratic (each TCP host compared with every earlier one on its port), now a
 * lookup per address (sdk/validate/hosts.ts, tcpClash): all hosts TCP on one port, distinct CIDRs, is its worst case,
 * kept here so a regression shows.
 */
function tcpOnOnePort(smoke: boolean): string[] {
    const sizes = smoke ? [10, 20] : [1000, 2000, 4000, 8000];
    let previous: number | undefined;
    const rows = sizes.map((n) => {
        const hosts: ExternalHost[] = Array.from({ length: n }, (_, i) => ({
            host: `db-${i}.example.com`,
            mode: EgressMode.Tcp,
            port: 5432,
            addresses: [`10.${(i >> 8) & 255}.${i & 255}.0/24`],
            endpoints: [`10.${(i >> 8) & 255}.${i & 255}.10`],
        }));
        const ms = time(() => validateArgs("egress", { hosts }), smoke ? 1 : 7);
        const row = `| ${n} | ${ms.toFixed(1)} | ${previous === undefined ? "" : (ms / previous).toFixed(2)} |`;
        previous = ms;
        return row;
    });
    return [
        "#### Worst case: TCP hosts sharing one port (validateArgs only)",
        "",
        "| TCP hosts on port 5432 | validateArgs ms | t(N)/t(N/2) |",
        "|---:|---:|---:|",
        ...rows,
    ];
}

if (require.main === module) {
    const smoke = process.argv.includes("--smoke");
    console.log([...objectsPerHost(), "", ...pureScaling(smoke), "", ...tcpOnOnePort(smoke)].join("\n"));
}
