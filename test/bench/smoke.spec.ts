// Benchmarks are not timed tests: CI only runs the smoke sizes so the benchmark code keeps working (construction under
// mocks at 20 hosts; the real engine, which needs `npm run setup`'s toolchain, at 3 hosts).
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as path from "node:path";

describe("benchmarks (smoke size)", function () {
    // The mesh-side smoke compiles Istio's discovery server: minutes on a cold Go build cache (a fresh clone's first
    // npm test), seconds after.
    this.timeout(20 * 60 * 1000);
    it("run end to end at smoke sizes", () => {
        const result = spawnSync("bash", [path.join(__dirname, "..", "..", "bench", "run.sh"), "--smoke"], {
            encoding: "utf8",
        });
        expect(result.status, result.stderr).to.equal(0);
        expect(result.stdout.trim().split("\n").pop()).to.match(/^bench smoke: OK/);
    });
});
