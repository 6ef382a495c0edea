// The package's own directory (package.json, tsconfig.json and the TypeScript sources the schema is inferred from),
// found from this file whether it runs compiled (bin/sdk/provider) or from source (sdk/provider).
import * as fs from "node:fs";
import * as path from "node:path";

export function packageRoot(from: string = __dirname): string {
    for (let dir = from; ; dir = path.dirname(dir)) {
        const manifest = path.join(dir, "package.json");
        if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, "utf8")).name === "mesh-egress") return dir;
        if (path.dirname(dir) === dir) throw new Error(`mesh-egress's package.json not found above ${from}`);
    }
}

export function packageVersion(root: string = packageRoot()): string {
    return JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).version;
}
