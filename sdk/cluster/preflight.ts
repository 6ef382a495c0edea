// The cluster check MeshEgress runs before it registers anything, in previews and updates alike. A cluster that
// cannot take the plan (unreachable, hung, Istio's CRDs missing, no mesh config, a mesh config another MeshEgress
// owns) fails the preview within seconds with what is missing and where, instead of previewing creates that the
// update then half-applies. The same pass reads the live versions of the planned objects, for drift.
import { apiStore } from "./meshConfig";
import { readDefaultVirtualServiceExportTo, readOutboundMode, readServiceEntryVisibility } from "./meshYaml";
import { hiddenServiceEntries, serviceEntryNamespaces } from "./serviceEntryVisibility";
import { MeshConfigTarget, assertClaimable } from "./ownership";
import { BUNDLE_ANNOTATION, outdatedRouteCrd, routeCrdsToCheck } from "./gatewayApiRelease";
import { hiddenRoutes } from "./routeVisibility";
import { gatewayServiceProblem } from "./gatewayServicePorts";
import { BoundGatewayService } from "../plan/gateway";
import { ApiResourceNeed, PlannedObject, apiResourceNeeds } from "../plan/manifest";
import { ClusterAccess, KubeApi, REQUEST_TIMEOUT_MS, connect, unexpectedAnswer } from "./kubeApi";
import { conflicts } from "./conflicts";
import { Discovery, collectionPath, discoveryKey, listAll, readLiveObjects } from "./liveObjects";
import { rivalTelemetries } from "./telemetryRivals";

/** What one cluster must offer. */
export interface ClusterNeeds {
    access: ClusterAccess;
    /** The planned objects that go to this cluster. */
    objects: PlannedObject[];
    /** The mesh config MeshEgress edits there, if any. */
    meshConfig?: MeshConfigTarget;
    /** A Service there that the plan binds to without creating it. */
    boundService?: BoundGatewayService;
    /** Who this component is: `<project>/<stack>/<component>`, and the instance label of its objects. */
    identity: { owner: string; instance: string };
}

function discoveryPath(apiVersion: string): string {
    return apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

function installHint(apiVersion: string): string {
    if (apiVersion.includes(".istio.io/")) return "Istio's CRDs are not installed there (install Istio first)";
    if (apiVersion.startsWith("gateway.networking.k8s.io/")) {
        return "the Gateway API CRDs (standard channel, v1.6 or later) are not installed there";
    }
    if (apiVersion.startsWith("istio.alibabacloud.com/")) {
        return "ASM's IstioGateway is not served there (gateway.asm needs istioCluster to be the ASM instance)";
    }
    return "is this Kubernetes version supported?";
}

/** Adds what the server serves in `need`'s group version to `discovery`; returns the kinds it lacks. */
async function discover(api: KubeApi, need: ApiResourceNeed, discovery: Discovery): Promise<string[]> {
    const response = await api.request("GET", discoveryPath(need.apiVersion));
    if (response.status === 404) return need.kinds;
    if (response.status !== 200) throw unexpectedAnswer(api, `discovering ${need.apiVersion}`, response);
    for (const resource of response.body.resources ?? []) {
        // Subresources (deployments/scale) share their parent's kind.
        if (resource.name.includes("/")) continue;
        discovery.set(discoveryKey(need.apiVersion, resource.kind), {
            plural: resource.name,
            namespaced: resource.namespaced,
        });
    }
    return need.kinds.filter((kind) => !discovery.has(discoveryKey(need.apiVersion, kind)));
}

/** Checks the cluster and reads what is live there. Throws an error naming what the cluster lacks. */
export interface ClusterState {
    /** The live version of each planned object that exists, by key. */
    objects: Map<string, Record<string, any>>;
    /** The mesh config's live mode ("" when unset), when MeshEgress edits it there. */
    meshConfigMode?: string;
    /** What the check could not read, for a warning. */
    unchecked: string[];
}

/** Throws if the existing gateway's Service cannot serve the plan; returns what it could not read. */
async function checkBoundService(api: KubeApi, need: BoundGatewayService): Promise<string[]> {
    const { namespace, name } = need;
    const response = await api.request("GET", `/api/v1/namespaces/${namespace}/services/${name}`);
    if (response.status !== 200 && response.status !== 404) {
        return [
            `the existing gateway's Service ${namespace}/${name} at ${api.server} could not be read (HTTP ` +
                `${response.status}), so its ports were not checked against the gateway ports and targetPorts`,
        ];
    }
    const problem = gatewayServiceProblem(need, response.status === 200 ? response.body : undefined);
    if (problem) throw new Error(`at ${api.server} (${api.source}): ${problem}`);
    return [];
}

/** Throws if the mesh config hides the plan's ServiceEntries from their clients; returns what it could not read. */
async function checkServiceEntryVisibility(api: KubeApi, objects: PlannedObject[], mesh: string): Promise<string[]> {
    const visibility = readServiceEntryVisibility(mesh);
    const { namespaces, ambient } = serviceEntryNamespaces(objects);
    if (!visibility || namespaces.length === 0) return [];
    const labels = new Map<string, Record<string, string>>();
    for (const namespace of namespaces) {
        const response = await api.request("GET", `/api/v1/namespaces/${encodeURIComponent(namespace)}`);
        if (response.status === 404) {
            // Not created yet: Kubernetes will give it this label only.
            labels.set(namespace, { "kubernetes.io/metadata.name": namespace });
        } else if (response.status === 200) {
            labels.set(namespace, response.body?.metadata?.labels ?? {});
        } else {
            return [
                `namespace ${namespace} at ${api.server} could not be read (HTTP ${response.status}), so the mesh ` +
                    "config's serviceEntryVisibility was not checked against it",
            ];
        }
    }
    const hidden = hiddenServiceEntries(visibility, ambient, labels);
    if (hidden) throw new Error(`at ${api.server} (${api.source}): ${hidden}`);
    return [];
}

/**
 * Every object of an Istio networking kind in the cluster (when the plan has ServiceEntries), for hosts another owner
 * already declares or routes.
 */
async function everyOf(api: KubeApi, discovery: Discovery, objects: PlannedObject[], kind: string): Promise<any[]> {
    const planned = objects.find((o) => o.manifest.kind === "ServiceEntry");
    const resource = planned && discovery.get(discoveryKey(planned.manifest.apiVersion, kind));
    if (!planned || !resource) return [];
    return listAll(api, collectionPath(planned.manifest.apiVersion, resource.plural, undefined));
}

export async function checkCluster(needs: ClusterNeeds, timeoutMs = REQUEST_TIMEOUT_MS): Promise<ClusterState> {
    const api = await connect(needs.access, timeoutMs);
    const version = await api.request("GET", "/version");
    if (version.status !== 200) throw unexpectedAnswer(api, "reading the server version", version);
    const discovery: Discovery = new Map();
    const apiResources = apiResourceNeeds(needs.objects);
    const missing = await Promise.all(apiResources.map((need) => discover(api, need, discovery)));
    const problems = apiResources
        .map((need, i) => ({ need, kinds: missing[i] }))
        .filter(({ kinds }) => kinds.length > 0)
        .map(({ need, kinds }) => `${need.apiVersion} ${kinds.join(", ")}: ${installHint(need.apiVersion)}`);
    if (problems.length > 0) {
        throw new Error(
            `the cluster at ${api.server} (${api.source}) lacks what MeshEgress creates: ${problems.join("; ")}`,
        );
    }
    for (const { kind, crd } of routeCrdsToCheck(needs.objects)) {
        const response = await api.request("GET", `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd}`);
        // Without the right to read CRDs, the check cannot tell; discovery has already found the kind served.
        if (response.status !== 200) continue;
        const outdated = outdatedRouteCrd(kind, response.body?.metadata?.annotations?.[BUNDLE_ANNOTATION]);
        if (outdated) throw new Error(`at ${api.server} (${api.source}): ${outdated}`);
    }
    const unchecked = needs.boundService ? await checkBoundService(api, needs.boundService) : [];
    const live = await readLiveObjects(api, discovery, needs.objects);
    const { objects, neighbours } = live;
    const rivals = rivalTelemetries(needs.objects, neighbours);
    if (rivals.length > 0) throw new Error(`at ${api.server} (${api.source}): ${rivals.join("; ")}`);
    const taken = conflicts(
        needs.objects,
        live,
        await everyOf(api, discovery, needs.objects, "ServiceEntry"),
        await everyOf(api, discovery, needs.objects, "VirtualService"),
        needs.identity.owner,
        needs.identity.instance,
    );
    if (taken.length > 0) throw new Error(`at ${api.server} (${api.source}): ${taken.join("; ")}`);
    if (!needs.meshConfig) return { objects, unchecked };
    const store = apiStore(api);
    const { mesh } = assertClaimable(store, needs.meshConfig, await store.read(needs.meshConfig));
    const hidden = hiddenRoutes(needs.objects, readDefaultVirtualServiceExportTo(mesh));
    if (hidden) throw new Error(`at ${api.server} (${api.source}): ${hidden}`);
    unchecked.push(...(await checkServiceEntryVisibility(api, needs.objects, mesh)));
    return { objects, unchecked, meshConfigMode: readOutboundMode(mesh) ?? "" };
}
