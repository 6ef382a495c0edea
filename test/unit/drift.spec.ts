// Drift of live objects from the plan (sdk/plan/drift.ts), which clusters the check covers (sdk/clusterCheck.ts), and
// what it refuses there (sdk/cluster/telemetryRivals.ts).
import { expect } from "chai";
import fc from "fast-check";
import { rivalTelemetries } from "../../sdk/cluster/telemetryRivals";
import { hiddenRoutes } from "../../sdk/cluster/routeVisibility";
import { gatewayServiceProblem } from "../../sdk/cluster/gatewayServicePorts";
import { outdatedRouteCrd, routeCrdsToCheck } from "../../sdk/cluster/gatewayApiRelease";
import { readDefaultVirtualServiceExportTo } from "../../sdk/cluster/meshYaml";
import { checksFor, liveCheckLine } from "../../sdk/clusterCheck";
import { EgressPlan, buildPlan } from "../../sdk/plan";
import { REPAIR_ANNOTATION, describeFinding, driftedFields, reviewLive } from "../../sdk/plan/drift";
import { Manifest } from "../../sdk/plan/manifest";
import { validateArgs } from "../../sdk/validate";
import { MeshEgressArgs } from "../../sdk";
import { meshEgressCase } from "../support/arbitraries";

const SEED = 20261201;
const PLAN = buildPlan(
    validateArgs("egress", { hosts: [{ host: "aliyun.com" }], antiBypass: { namespaces: ["apps"] } }),
);
const byKind = (kind: string) => PLAN.objects.find((o) => o.manifest.kind === kind)!;
const VIRTUAL_SERVICE = byKind("VirtualService");
const DEPLOYMENT = byKind("Deployment");

/** A live object as the API server returns it: the manifest plus what the server adds. */
function served(manifest: Manifest, extra: Record<string, any> = {}): Record<string, any> {
    const copy = structuredClone(manifest) as Record<string, any>;
    copy.metadata = {
        ...copy.metadata,
        uid: "u-1",
        resourceVersion: "7",
        annotations: { ...copy.metadata.annotations },
    };
    copy.metadata.annotations["pulumi.com/patchForce"] = "true";
    copy.status = {};
    return { ...copy, ...extra };
}

/** Every path to a primitive value in `value`. */
function leafPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
    if (Array.isArray(value)) return value.flatMap((item, i) => leafPaths(item, [...path, i]));
    if (value !== null && typeof value === "object") {
        return Object.entries(value).flatMap(([key, item]) => leafPaths(item, [...path, key]));
    }
    return [path];
}

function setAt(target: any, path: (string | number)[], value: unknown): void {
    const parent = path.slice(0, -1).reduce((node, key) => node[key], target);
    parent[path[path.length - 1]] = value;
}

describe("drift of live objects", () => {
    it("finds none in an Istio object exactly as planned, whatever the server adds to metadata and status", () => {
        expect(driftedFields(VIRTUAL_SERVICE.manifest, served(VIRTUAL_SERVICE.manifest))).to.deep.equal([]);
    });

    it("finds a changed host list and a route section added by hand in an Istio object", () => {
        const live = served(VIRTUAL_SERVICE.manifest);
        live.spec.hosts = ["aliyun.com", "evil.example"];
        live.spec.tcp = [{ route: [{ destination: { host: "evil.example" } }] }];
        expect(driftedFields(VIRTUAL_SERVICE.manifest, live)).to.deep.equal(["spec.hosts", "spec.tcp"]);
    });

    it("tolerates the defaults the API server fills into other kinds, and finds a changed field", () => {
        const live = served(DEPLOYMENT.manifest);
        live.spec.progressDeadlineSeconds = 600;
        live.spec.template.spec.containers[0].terminationMessagePath = "/dev/termination-log";
        expect(driftedFields(DEPLOYMENT.manifest, live)).to.deep.equal([]);
        live.spec.template.spec.serviceAccountName = "default";
        expect(driftedFields(DEPLOYMENT.manifest, live)).to.deep.equal(["spec.template.spec.serviceAccountName"]);
    });

    it("finds a removed label, and ignores labels and annotations MeshEgress does not set", () => {
        const live = served(VIRTUAL_SERVICE.manifest);
        delete live.metadata.labels["app.kubernetes.io/part-of"];
        live.metadata.labels.team = "platform";
        expect(driftedFields(VIRTUAL_SERVICE.manifest, live)).to.deep.equal([
            "metadata.labels.app.kubernetes.io/part-of",
        ]);
    });

    it("finds any changed value of any planned object (generated plans, every leaf)", () => {
        fc.assert(
            fc.property(meshEgressCase, fc.nat(), ({ name, args }, pick) => {
                let plan: EgressPlan;
                try {
                    plan = buildPlan(validateArgs(name, args));
                } catch {
                    return fc.pre(false);
                }
                fc.pre(plan.objects.length > 0);
                const object = plan.objects[pick % plan.objects.length];
                const { apiVersion: _a, kind: _k, ...body } = object.manifest;
                // A live object is found by name and namespace: those are its identity, not fields that drift.
                const leaves = leafPaths(body).filter(
                    ([first, second]) => first !== "metadata" || second === "labels" || second === "annotations",
                );
                const leaf = leaves[pick % leaves.length];
                const live = served(object.manifest);
                expect(driftedFields(object.manifest, live), object.key).to.deep.equal([]);
                setAt(live, leaf, "changed-by-hand");
                expect(driftedFields(object.manifest, live), `${object.key} ${leaf.join(".")}`).to.not.deep.equal([]);
            }),
            { seed: SEED, numRuns: 300 },
        );
    });
});

describe("the live review", () => {
    it("gives a drifted object a new repair annotation, and keeps an existing one on objects as planned", () => {
        const live = new Map<string, Record<string, any>>();
        for (const object of PLAN.objects) live.set(object.key, served(object.manifest));
        live.get(DEPLOYMENT.key)!.metadata.annotations[REPAIR_ANNOTATION] = "kept";
        live.get(VIRTUAL_SERVICE.key)!.spec.hosts = ["evil.example"];
        const review = reviewLive(PLAN.objects, live);
        expect([...review.repairs.keys()].sort()).to.deep.equal([DEPLOYMENT.key, VIRTUAL_SERVICE.key].sort());
        expect(review.repairs.get(DEPLOYMENT.key)).to.equal("kept");
        expect(review.repairs.get(VIRTUAL_SERVICE.key)).to.match(/^[0-9a-f]{12}$/);
        expect(review.findings.map(describeFinding)).to.deep.equal([
            "VirtualService istio-system/egress-aliyun-com (host aliyun.com) was changed outside Pulumi (spec.hosts[0]): " +
                "this update applies MeshEgress's version again",
        ]);
    });

    it("reports an object deleted while the rest of its host exists, and nothing for a host not created yet", () => {
        const live = new Map<string, Record<string, any>>();
        for (const object of PLAN.objects.filter(
            (o) => o.manifest.kind !== "DestinationRule" && o.host !== undefined,
        )) {
            live.set(object.key, served(object.manifest));
        }
        const review = reviewLive(PLAN.objects, live);
        expect(review.findings.map(describeFinding)).to.deep.equal([
            "DestinationRule istio-system/egress-aliyun-com (host aliyun.com) was deleted outside Pulumi: " +
                "`pulumi up --refresh` creates it again",
        ]);
        expect(reviewLive(PLAN.objects, new Map()).findings).to.deep.equal([]);
    });
});

describe("the clusters the check covers", () => {
    const OWNER = { owner: "project/stack/egress", instance: "egress" };
    const edit = { ...PLAN.meshConfigEdit!, owner: OWNER.owner };

    it("is the default kubeconfig's, with every object and the mesh config, when no provider is passed", () => {
        expect(checksFor(PLAN, false, false, OWNER)).to.deep.equal([
            { istio: false, identity: OWNER, objects: PLAN.objects, meshConfig: edit },
        ]);
    });

    it("with a separate Istio cluster, checks its objects there and the workload's with the default kubeconfig", () => {
        expect(checksFor(PLAN, true, false, OWNER)).to.deep.equal([
            {
                istio: true,
                identity: OWNER,
                objects: PLAN.objects.filter((o) => o.cluster === "istio"),
                meshConfig: edit,
            },
            { istio: false, identity: OWNER, objects: PLAN.objects.filter((o) => o.cluster === "workload") },
        ]);
    });

    it("with a provider passed, checks only the mesh config the edit reaches with the default kubeconfig", () => {
        expect(checksFor(PLAN, false, true, OWNER)).to.deep.equal([
            { istio: false, identity: OWNER, objects: [], meshConfig: edit },
        ]);
        const sidecar = buildPlan(
            validateArgs("egress", { hosts: [], outboundTrafficPolicy: { target: "ROOT_NAMESPACE_SIDECAR" } }),
        );
        expect(checksFor(sidecar, false, true, OWNER)).to.deep.equal([]);
    });
});

describe("the cluster check of an existing gateway's Service", () => {
    const hosts = [{ host: "aliyun.com" }, { host: "api.stripe.com", mode: "TLS_PASSTHROUGH" as const }];
    const existingGateway = { serviceName: "istio-egressgateway", selector: { istio: "egressgateway" } };
    const planned = (args: Partial<MeshEgressArgs>) =>
        buildPlan(validateArgs("egress", { hosts, existingGateway, ...args })).boundService!;
    const remapped = { existingGateway: { ...existingGateway, targetPorts: { "80": 8080, "443": 8443 } } };
    /** Istio's istio-egressgateway chart: 80 → 8080, 443 → 8443. */
    const chartService = {
        spec: {
            ports: [
                { port: 15021, targetPort: 15021 },
                { port: 80, targetPort: 8080 },
                { port: 443, targetPort: 8443 },
            ],
        },
    };

    it("names the Service, every gateway port and the pod port clients use, for an existing gateway only", () => {
        expect(planned(remapped)).to.deep.equal({
            namespace: "istio-system",
            name: "istio-egressgateway",
            ports: [
                { number: 80, name: "http-80", targetPort: 8080 },
                { number: 443, name: "tls-443", targetPort: 8443 },
            ],
            everyPortRequired: false,
        });
        expect(planned({ routingApi: "GATEWAY_API" }).everyPortRequired).to.equal(true);
        expect(buildPlan(validateArgs("egress", { hosts })).boundService).to.equal(undefined);
    });

    it("is read where the gateway runs: the default kubeconfig's cluster, not the Istio cluster, not with a provider", () => {
        const OWNER = { owner: "project/stack/egress", instance: "egress" };
        const plan = buildPlan(validateArgs("egress", { hosts, existingGateway }));
        const need = plan.boundService;
        expect(checksFor(plan, false, false, OWNER).map((c) => c.boundService)).to.deep.equal([need]);
        expect(checksFor(plan, true, false, OWNER).map((c) => [c.istio, c.boundService])).to.deep.equal([
            [true, undefined],
            [false, need],
        ]);
        expect(checksFor(plan, false, true, OWNER).map((c) => c.boundService)).to.deep.equal([undefined]);
    });

    it("refuses a Service that sends gateway ports elsewhere than targetPorts says, with the value to set", () => {
        expect(gatewayServiceProblem(planned({}), chartService)).to.equal(
            "the gateway behind the existing gateway's Service istio-system/istio-egressgateway listens for port 80 " +
                "(http-80) on pod port 8080, where it gives 80; port 443 (tls-443) on pod port 8443, where it gives " +
                "443: MeshEgress's clients reach the gateway pods on the port existingGateway.targetPorts gives " +
                "(default: the port itself), so the hosts on those ports would fail. Set existingGateway.targetPorts " +
                'to {"80":8080,"443":8443}',
        );
        expect(gatewayServiceProblem(planned(remapped), chartService)).to.equal(undefined);
    });

    it("under Istio's routes, accepts a port the Service lacks only where the gateway listens on the port itself", () => {
        const onlyHttp = { spec: { ports: [{ port: 80, targetPort: 8080 }] } };
        expect(gatewayServiceProblem(planned(remapped), onlyHttp)).to.match(
            /listens for port 443 \(tls-443\) on pod port 443, where it gives 8443: .* to \{"80":8080\}$/,
        );
        const withoutHttps = { existingGateway: { ...existingGateway, targetPorts: { "80": 8080 } } };
        expect(gatewayServiceProblem(planned(withoutHttps), onlyHttp)).to.equal(undefined);
    });

    it("under Istio's routes, takes a Service without port translation as listening on the ports themselves", () => {
        const untranslated = {
            metadata: { labels: { "experimental.istio.io/disable-gateway-port-translation": "true" } },
            ...chartService,
        };
        expect(gatewayServiceProblem(planned({}), untranslated)).to.equal(undefined);
        expect(gatewayServiceProblem(planned(remapped), untranslated)).to.match(
            /Set existingGateway.targetPorts to \{\}$/,
        );
        expect(gatewayServiceProblem(planned({ ...remapped, routingApi: "GATEWAY_API" }), untranslated)).to.equal(
            undefined,
        );
    });

    it("reads a gateway port's first TCP entry, as istiod does", () => {
        const withUdp = {
            spec: {
                ports: [
                    { port: 443, targetPort: 9443, protocol: "UDP" },
                    { port: 80, targetPort: 8080 },
                    { port: 443, targetPort: 8443, protocol: "TCP" },
                    { port: 443, targetPort: 7443 },
                ],
            },
        };
        expect(gatewayServiceProblem(planned(remapped), withUdp)).to.equal(undefined);
    });

    it("under Istio's routes, refuses targetPorts for a Service that does not exist, and accepts none", () => {
        expect(gatewayServiceProblem(planned(remapped), undefined)).to.equal(
            "the existing gateway's Service istio-system/istio-egressgateway does not exist, so nothing sends the " +
                "gateway ports to the pod ports existingGateway.targetPorts gives: check existingGateway.serviceName " +
                "and namespace, and the cluster",
        );
        expect(gatewayServiceProblem(planned({}), undefined)).to.equal(undefined);
    });

    it("accepts a named targetPort, which only the pods resolve", () => {
        const named = { spec: { ports: [{ port: 80, targetPort: "http2" }, { port: 443 }] } };
        expect(gatewayServiceProblem(planned({}), named)).to.equal(undefined);
    });

    it("under Gateway API routes, refuses a Service that lacks a gateway port, naming the ports", () => {
        const need = planned({ ...remapped, routingApi: "GATEWAY_API" });
        expect(gatewayServiceProblem(need, { spec: { ports: [{ port: 80, targetPort: 8080 }] } })).to.equal(
            "the existing gateway's Service istio-system/istio-egressgateway lacks port(s) 443 (tls-443): routingApi " +
                "GATEWAY_API binds the Gateway to it, and istiod listens only on the ports it exposes, so the hosts on " +
                "those ports would fail at the gateway. Add them to the Service (it needs 80 (http-80), 443 (tls-443)), " +
                "or use routingApi ISTIO, whose Gateway listens on the pods' ports",
        );
        expect(gatewayServiceProblem(need, undefined)).to.equal(
            "the existing gateway's Service istio-system/istio-egressgateway does not exist: routingApi GATEWAY_API " +
                "binds the Gateway to it, and istiod listens only on the ports it exposes. Create it with the gateway " +
                "ports 80 (http-80), 443 (tls-443)",
        );
        expect(gatewayServiceProblem(need, chartService)).to.equal(undefined);
    });
});

describe("the summary's live check line", () => {
    it("says the mode is as MeshEgress sets it and every object is as planned", () => {
        const findings = { repairs: new Map(), findings: [], meshConfigMode: "REGISTRY_ONLY" };
        expect(liveCheckLine(findings, "REGISTRY_ONLY")).to.equal(
            "\n\nlive check at the start of this run: the mesh config's outboundTrafficPolicy.mode is REGISTRY_ONLY, " +
                "as MeshEgress sets it; every existing object is as planned.",
        );
    });

    it("says what the mode was when it drifted, and how many objects drifted", () => {
        const findings = {
            repairs: new Map(),
            findings: [{ object: VIRTUAL_SERVICE, drift: ["spec.hosts"] }],
            meshConfigMode: "",
        };
        expect(liveCheckLine(findings, "REGISTRY_ONLY")).to.equal(
            "\n\nlive check at the start of this run: the mesh config's outboundTrafficPolicy.mode was unset; this " +
                "run sets REGISTRY_ONLY; 1 object(s) drifted from the plan (named in this run's warnings).",
        );
    });
});

describe("the cluster check's rival Telemetry", () => {
    const AUDIT = buildPlan(
        validateArgs("egress", { hosts: [{ host: "aliyun.com" }], outboundTrafficPolicy: { mode: "AUDIT" } }),
    );
    const audit = AUDIT.objects.find((o) => o.manifest.metadata.name === "egress-audit")!;
    const telemetry = (name: string, spec: Record<string, any>) => ({
        metadata: { name, namespace: "istio-system" },
        spec,
    });

    it("refuses the audit where the namespace already has a Telemetry for all of it, naming both and what to do", () => {
        const neighbours = new Map([[audit.key, [served(audit.manifest), telemetry("mesh-default", {})]]]);
        expect(rivalTelemetries(AUDIT.objects, neighbours)).to.deep.equal([
            "outboundTrafficPolicy.mode AUDIT logs through Telemetry istio-system/egress-audit, which applies to all " +
                "of namespace istio-system, but Telemetry istio-system/mesh-default already does, and Istio applies " +
                "only the oldest such Telemetry of a namespace (one of them would be ignored): give that Telemetry a " +
                "selector, or audit namespaces without one (outboundTrafficPolicy.target NAMESPACE_SIDECARS)",
        ]);
    });

    it("accepts the audit beside Telemetries with a selector or targetRefs, and its own earlier version", () => {
        const neighbours = new Map([
            [
                audit.key,
                [
                    served(audit.manifest),
                    telemetry("gateway-logs", { selector: { matchLabels: { app: "egress" } } }),
                    telemetry("waypoint-logs", { targetRefs: [{ kind: "Gateway", name: "waypoint" }] }),
                ],
            ],
        ]);
        expect(rivalTelemetries(AUDIT.objects, neighbours)).to.deep.equal([]);
    });
});

describe("the cluster check's mesh-wide VirtualService visibility under Gateway API routes", () => {
    const hosts = [{ host: "aliyun.com" }];
    const gatewayApi = buildPlan(validateArgs("egress", { hosts, routingApi: "GATEWAY_API" })).objects;

    it("refuses Gateway API routes when the mesh's default would hide them from client namespaces", () => {
        expect(hiddenRoutes(gatewayApi, ["."])).to.equal(
            'routingApi GATEWAY_API: the mesh config sets defaultVirtualServiceExportTo ["."], which Istio gives the ' +
                "VirtualServices it makes from Gateway API routes; client namespaces outside it would see the hosts' " +
                "ServiceEntries but not their routes, and reach the hosts directly, around the gateway. Set it to " +
                '["*"], or use routingApi ISTIO (whose VirtualServices set exportTo themselves)',
        );
    });

    it("accepts them under Istio's default or an explicit \"*\", and Istio's own routes under any default", () => {
        expect(hiddenRoutes(gatewayApi, undefined)).to.equal(undefined);
        expect(hiddenRoutes(gatewayApi, ["*"])).to.equal(undefined);
        expect(hiddenRoutes(buildPlan(validateArgs("egress", { hosts })).objects, ["."])).to.equal(undefined);
    });

    it("reads the default from the mesh config", () => {
        expect(
            readDefaultVirtualServiceExportTo('defaultVirtualServiceExportTo:\n- "."\nrootNamespace: istio-system\n'),
        ).to.deep.equal(["."]);
        expect(readDefaultVirtualServiceExportTo("rootNamespace: istio-system\n")).to.equal(undefined);
    });
});

describe("drift of Gateway API objects", () => {
    const plan = buildPlan(validateArgs("egress", { hosts: [{ host: "aliyun.com" }], routingApi: "GATEWAY_API" }));
    const route = plan.objects.find((o) => o.key === "HTTPRoute/istio-system/egress-aliyun-com")!.manifest;
    const defaulted = () => {
        const live = served(route) as any;
        live.spec.rules[0].matches = [{ path: { type: "PathPrefix", value: "/" } }];
        live.spec.rules[0].backendRefs[0].weight = 1;
        return live;
    };

    it("ignores the defaults the API server adds (a rule's match on every path, a backend's weight 1)", () => {
        expect(driftedFields(route, defaulted())).to.deep.equal([]);
    });

    it("reports any field added by hand, as for Istio's kinds", () => {
        const live = defaulted();
        live.spec.rules[0].filters = [{ type: "RequestMirror" }];
        live.spec.rules[0].backendRefs[0].weight = 0;
        expect(driftedFields(route, live)).to.deep.equal([
            "spec.rules[0].backendRefs[0].weight",
            "spec.rules[0].filters",
        ]);
    });
});

describe("the cluster check's Gateway API release", () => {
    const plan = buildPlan(
        validateArgs("egress", {
            hosts: [{ host: "aliyun.com" }, { host: "api.stripe.com", mode: "TLS_PASSTHROUGH" }],
            routingApi: "GATEWAY_API",
        }),
    );

    it("checks the CRDs of the route kinds istiod reads only from a minimum release", () => {
        expect(routeCrdsToCheck(plan.objects)).to.deep.equal([
            { kind: "TCPRoute", crd: "tcproutes.gateway.networking.k8s.io" },
            { kind: "TLSRoute", crd: "tlsroutes.gateway.networking.k8s.io" },
        ]);
        expect(
            routeCrdsToCheck(buildPlan(validateArgs("egress", { hosts: [{ host: "a.com" }] })).objects),
        ).to.deep.equal([]);
    });

    it("refuses a route CRD older than istiod reads, or without its release, naming both", () => {
        expect(outdatedRouteCrd("TCPRoute", "v1.5.1")).to.equal(
            "routingApi GATEWAY_API: the TCPRoute CRD is from Gateway API v1.5.1, and istiod reads TCPRoute only from " +
                "Gateway API v1.6: the hosts' mesh routes would be ignored and their clients would reach them directly, " +
                "around the gateway. Install the Gateway API CRDs v1.6 or later (standard channel)",
        );
        expect(outdatedRouteCrd("TLSRoute", undefined)).to.match(
            /^routingApi GATEWAY_API: the TLSRoute CRD is not marked with gateway.networking.k8s.io\/bundle-version, /,
        );
    });

    it("accepts the minimum release and later ones", () => {
        expect(outdatedRouteCrd("TCPRoute", "v1.6.0")).to.equal(undefined);
        expect(outdatedRouteCrd("TLSRoute", "v1.5.0")).to.equal(undefined);
        expect(outdatedRouteCrd("TCPRoute", "v2.0.0")).to.equal(undefined);
    });
});
