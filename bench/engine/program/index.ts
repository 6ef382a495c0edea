// The Pulumi program of the real-engine benchmark: one MeshEgress, or the same objects registered directly. Only the
// chosen variant's module is loaded, so each pays just for what it imports.
import { input } from "./input";

require(input.variant === "mesh" ? "./mesh" : "./baseline");
