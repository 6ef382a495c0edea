// Every object the plan emits validates against Istio's CRD schemas (@kubernetes-models/istio) and Kubernetes'
// OpenAPI schemas (kubernetes-models), for a configuration that exercises every kind.
import { expect } from "chai";
import { ExternalHost } from "../../sdk";
import { buildPlan } from "../../sdk/plan";
import { Manifest } from "../../sdk/plan/manifest";
import { validateArgs } from "../../sdk/validate";

type ModelClass = new (data: any) => { validate(): void };

// The model packages are ESM-only: load them with import() from this CommonJS test.
async function models(): Promise<Record<string, ModelClass>> {
    const istio = await import("@kubernetes-models/istio/networking.istio.io/v1");
    const security = await import("@kubernetes-models/istio/security.istio.io/v1");
    const telemetry = await import("@kubernetes-models/istio/telemetry.istio.io/v1");
    const networking = await import("kubernetes-models/networking.k8s.io/v1");
    const core = await import("kubernetes-models/v1");
    const apps = await import("kubernetes-models/apps/v1");
    const policy = await import("kubernetes-models/policy/v1");
    const autoscaling = await import("kubernetes-models/autoscaling/v2");
    const rbac = await import("kubernetes-models/rbac.authorization.k8s.io/v1");
    return {
        "networking.istio.io/v1/ServiceEntry": istio.ServiceEntry,
        "networking.istio.io/v1/Gateway": istio.Gateway,
        "networking.istio.io/v1/DestinationRule": istio.DestinationRule,
        "networking.istio.io/v1/VirtualService": istio.VirtualService,
        "networking.istio.io/v1/Sidecar": istio.Sidecar,
        "security.istio.io/v1/AuthorizationPolicy": security.AuthorizationPolicy,
        "telemetry.istio.io/v1/Telemetry": telemetry.Telemetry,
        "networking.k8s.io/v1/NetworkPolicy": networking.NetworkPolicy,
        "v1/ServiceAccount": core.ServiceAccount,
        "v1/Service": core.Service,
        "apps/v1/Deployment": apps.Deployment,
        "policy/v1/PodDisruptionBudget": policy.PodDisruptionBudget,
        "autoscaling/v2/HorizontalPodAutoscaler": autoscaling.HorizontalPodAutoscaler,
        "rbac.authorization.k8s.io/v1/Role": rbac.Role,
        "rbac.authorization.k8s.io/v1/RoleBinding": rbac.RoleBinding,
    };
}

/** Every mode and kind, with the mutual-TLS hop (default) and with the plain hop. */
function everyKind(): Manifest[] {
    return [
        ...everyKindWith("ISTIO_MUTUAL"),
        ...everyKindWith("DISABLE").filter((m) => m.kind !== "Role" && m.kind !== "RoleBinding"),
    ];
}

function everyKindWith(gatewayHopTls: "ISTIO_MUTUAL" | "DISABLE"): Manifest[] {
    const plan = buildPlan(
        validateArgs("egress", {
            hosts: (
                [
                    { host: "aliyun.com" },
                    { host: "api.stripe.com", mode: "TLS_PASSTHROUGH" },
                    { host: "x.io", port: 8080 },
                    { host: "edition.cnn.com", mode: "TLS_ORIGINATION", tls: { subjectAltNames: ["edition.cnn.com"] } },
                    {
                        host: "mtls.example.com",
                        mode: "MUTUAL_TLS_ORIGINATION",
                        tls: { credentialName: "client-credential" },
                    },
                    { host: "*.wikipedia.org", mode: "TLS_PASSTHROUGH", upstreamHost: "www.wikipedia.org" },
                    {
                        host: "mongo.example.com",
                        mode: "TCP",
                        port: 27017,
                        addresses: ["192.0.2.0/24"],
                        endpoints: ["192.0.2.10"],
                    },
                    { host: "db.example.com", mode: "TCP", port: 5432 },
                ] as ExternalHost[]
            ).map((h) =>
                gatewayHopTls === "ISTIO_MUTUAL" && h.host !== "x.io" ? { ...h, from: [{ namespace: "payments" }] } : h,
            ),
            antiBypass: { namespaces: ["payments"], allowNamespaces: ["shared"] },
            gateway: {
                autoscaling: { minReplicas: 2, maxReplicas: 4 },
                tolerations: [{ key: "dedicated", operator: "Exists", effect: "NoSchedule" }],
                nodeSelector: { egress: "true" },
            },
            outboundTrafficPolicy: { target: "ROOT_NAMESPACE_SIDECAR" },
            gatewayHopTls,
        }),
    );
    return plan.objects.map((o) => o.manifest);
}

describe("schema validity", () => {
    let byKind: Record<string, ModelClass>;
    before(async () => {
        byKind = await models();
    });

    for (const manifest of everyKind()) {
        const hop = (manifest.spec as any)?.servers?.[0]?.tls?.mode === "ISTIO_MUTUAL" ? " (mTLS hop)" : "";
        it(`${manifest.kind} ${manifest.metadata.name}${hop} validates against its schema`, () => {
            const Model = byKind[`${manifest.apiVersion}/${manifest.kind}`];
            expect(Model, `a model for ${manifest.apiVersion} ${manifest.kind}`).to.not.equal(undefined);
            expect(() => new Model(manifest).validate()).to.not.throw();
        });
    }

    it("catches a broken object (the check can fail)", () => {
        const broken = everyKind().find((m) => m.kind === "ServiceEntry")!;
        (broken.spec as any).resolution = "SOMETIMES";
        expect(() => new byKind["networking.istio.io/v1/ServiceEntry"](broken).validate()).to.throw();
    });
});
