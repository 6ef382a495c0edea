// The package as an earlier commit of this repository had it, with its examples/local program, ready for the real CLI:
// for the upgrade tests (a stack deployed by the previous release must update in place).
import * as fs from "node:fs";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { REPO } from "./toolchain";

/** Extracts `commit` into `dir`, compiles it as `npm run build` does, and returns its examples/local program. */
export function previousRelease(commit: string, dir: string): string {
    try {
        execFileSync("git", ["-C", REPO, "cat-file", "-e", `${commit}^{commit}`], { stdio: "pipe" });
    } catch {
        throw new Error(
            `commit ${commit} (the previous release) is not in this clone: the upgrade test needs its history`,
        );
    }
    fs.mkdirSync(dir, { recursive: true });
    const files = ["index.ts", "sdk", "package.json", "tsconfig.json", "examples/local"];
    const archive = execFileSync("git", ["-C", REPO, "archive", "--format=tar", commit, ...files]);
    execFileSync("tar", ["-x", "-C", dir], { input: archive });
    // Its dependencies are this checkout's (one @pulumi/pulumi instance for the program and the component).
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"));
    // The mesh config resource loads its compiled live.js at run time.
    execFileSync(process.execPath, [path.join(REPO, "node_modules", "typescript", "bin", "tsc"), "-p", dir]);
    return path.join(dir, "examples", "local");
}
