// The component from the built package, as `import "mesh-egress"` resolves it (the package's main).
import { MeshEgress } from "../../..";
import { input, provider } from "./input";

new MeshEgress("egress", input.args, { provider });
