// The public surface of mesh-egress: the component, its argument types (every one of them, so a program can name
// what it builds, e.g. an `ExternalHost[]`, and use the enums) and its validation error. Nothing else leaks.
export { MeshEgress } from "./meshEgress";
export * from "./args";
export { MeshEgressArgsError } from "./validate";
