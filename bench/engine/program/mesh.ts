// The component, imported from the built package as a user's program would.
import { MeshEgress } from "../../..";
import { input, provider } from "./input";

new MeshEgress("egress", input.args, { provider });
