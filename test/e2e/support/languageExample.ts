// The fixture the language e2e specs share: the toolchain, a scratch home, a fresh local cluster and a copy of the
// example program, with mesh-egress's executable plugin on PATH.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalCluster, startCluster } from "./cluster";
import { Kube, kube } from "./kube";
import { backendEnv, removeStackConfigs } from "./stack";
import { REPO, Toolchain, toolchain } from "./toolchain";

export const PLUGIN_DIR = path.join(REPO, "sdk", "provider");
export const PLUGIN = path.join(PLUGIN_DIR, "pulumi-resource-mesh-egress");

export interface LanguageExample {
    tools: Toolchain;
    workHome: string;
    cluster: LocalCluster;
    api: Kube;
    /** The `istio` mesh config before anything ran. */
    originalMesh: string;
    /** The spec's copy of `examples/<language>`, inside `workHome`. */
    program: string;
    /** The file backend, the cluster, and the plugin's directory first on PATH: the engine finds it there as an
     * ambient plugin, as it does the Kubernetes provider. */
    env: Record<string, string>;
}

/**
 * Registers the fixture's hooks in the calling `describe`: set up before its own `before` hooks run, torn down after.
 * The returned object's fields are filled in by the `before` hook.
 */
export function languageExample(language: string): LanguageExample {
    const example = {} as LanguageExample;
    before(async () => {
        const tools = toolchain();
        const workHome = fs.mkdtempSync(path.join(os.tmpdir(), `mesh-egress-${language}-`));
        Object.assign(example, { tools, workHome });
        const cluster = startCluster(tools);
        const api = await kube(cluster.kubeconfig);
        const program = path.join(workHome, language);
        fs.cpSync(path.join(REPO, "examples", language), program, { recursive: true });
        Object.assign(example, {
            cluster,
            api,
            originalMesh: (await api.configMapData("istio-system", "istio"))!.mesh,
            program,
            env: {
                ...backendEnv(workHome),
                KUBECONFIG: cluster.kubeconfigPath,
                PATH: `${PLUGIN_DIR}:${tools.env.PATH}`,
            },
        });
    });
    after(() => {
        removeStackConfigs();
        example.cluster?.stop();
        if (example.workHome) fs.rmSync(example.workHome, { recursive: true, force: true });
    });
    return example;
}
