// The component from the built package: bin/index is what `import "mesh-egress"` resolves to (the package's main is
// the plugin entry that other languages run).
import { MeshEgress } from "../../../bin/index";
import { input, provider } from "./input";

new MeshEgress("egress", input.args, { provider });
