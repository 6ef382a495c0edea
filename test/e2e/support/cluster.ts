// The local control plane of tools/cluster.sh: etcd + kube-apiserver on loopback with Istio's CRDs and a default
// `istio` mesh ConfigMap. Started before a suite, always stopped after it.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO, Toolchain, run } from "./toolchain";

export interface LocalCluster {
    dir: string;
    kubeconfigPath: string;
    kubeconfig: string;
    stop(): void;
}

export function startCluster(tools: Toolchain): LocalCluster {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-cluster-"));
    const script = path.join(REPO, "tools", "cluster.sh");
    const stop = () => run(tools, "bash", [script, "down", dir]);
    try {
        const kubeconfigPath = run(tools, "bash", [script, "up", dir]).stdout.trim().split("\n").pop()!;
        return { dir, kubeconfigPath, kubeconfig: fs.readFileSync(kubeconfigPath, "utf8"), stop };
    } catch (error) {
        stop();
        throw error;
    }
}
