// mesh-egress's provider plugin: constructs MeshEgress for programs in any Pulumi language (schema inferred from the
// TypeScript argument types by Pulumi's ComponentProvider) and serves the one custom resource MeshEgress needs
// there, the mesh config edit.
import * as pulumi from "@pulumi/pulumi";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { MeshEgress } from "../meshEgress";
import { MESH_CONFIG_OUTBOUND_MODE_TYPE } from "../meshConfig/pluginResource";
import type { LiveMeshConfig } from "../cluster/meshConfig";
import { outboundModeProvider } from "../meshConfig/resource";
import { packageRoot, packageVersion } from "../packageInfo";

/** The resource type of a URN (the last segment of its type chain). */
function typeOf(urn: string): string {
    return urn.split("::")[2].split("$").pop()!;
}

/** The engine sends secrets wrapped (this provider accepts secrets); the lifecycle works on plain values. */
function revealSecrets(properties: Record<string, unknown>): Record<string, any> {
    const isSecret = (value: any) => value?.[specialSigKey] === specialSecretSig;
    return Object.fromEntries(
        Object.entries(properties).map(([key, value]: [string, any]) => [key, isSecret(value) ? value.value : value]),
    );
}

export class MeshEgressProvider implements pulumi.provider.Provider {
    public readonly version: string;
    readonly #components: ComponentProvider;
    readonly #meshConfig: pulumi.dynamic.ResourceProvider;

    constructor(root: string = packageRoot(), live: () => LiveMeshConfig = () => require("../cluster/meshConfig")) {
        this.version = packageVersion(root);
        this.#components = new ComponentProvider({ components: [MeshEgress], name: "mesh-egress", dirname: root });
        this.#meshConfig = outboundModeProvider(live);
    }

    getSchema(): Promise<string> {
        return this.#components.getSchema();
    }

    construct(name: string, type: string, inputs: pulumi.Inputs, options: pulumi.ComponentResourceOptions) {
        return this.#components.construct(name, type, inputs, options);
    }

    async check(urn: string, olds: any, news: any): Promise<pulumi.provider.CheckResult> {
        this.#expectMeshConfig(urn);
        // The engine sends olds as {} for a resource it creates.
        const existing = olds && Object.keys(olds).length > 0 ? revealSecrets(olds) : undefined;
        const { inputs } = await this.#meshConfig.check!(existing, revealSecrets(news));
        // Keep the engine's secret wrapping of the kubeconfig; a property must not be present as undefined.
        return { inputs: { ...inputs, ...(news.kubeconfig !== undefined ? { kubeconfig: news.kubeconfig } : {}) } };
    }

    async diff(_id: string, urn: string, olds: any, news: any): Promise<pulumi.provider.DiffResult> {
        this.#expectMeshConfig(urn);
        return this.#meshConfig.diff!(_id, revealSecrets(olds), revealSecrets(news));
    }

    async create(urn: string, inputs: any): Promise<pulumi.provider.CreateResult> {
        this.#expectMeshConfig(urn);
        return this.#meshConfig.create(revealSecrets(inputs));
    }

    async read(id: string, urn: string, props: any): Promise<pulumi.provider.ReadResult> {
        this.#expectMeshConfig(urn);
        return this.#meshConfig.read!(id, revealSecrets(props));
    }

    async update(id: string, urn: string, olds: any, news: any): Promise<pulumi.provider.UpdateResult> {
        this.#expectMeshConfig(urn);
        return this.#meshConfig.update!(id, revealSecrets(olds), revealSecrets(news));
    }

    async delete(id: string, urn: string, props: any): Promise<void> {
        this.#expectMeshConfig(urn);
        await this.#meshConfig.delete!(id, revealSecrets(props));
    }

    #expectMeshConfig(urn: string): void {
        const type = typeOf(urn);
        if (type !== MESH_CONFIG_OUTBOUND_MODE_TYPE) throw new Error(`mesh-egress serves no resource of type ${type}`);
    }
}
