// The package's entry (package.json `main`, and the file Pulumi's schema analyzer reads): the library — the
// component, its argument and output types, and its validation error.
export * from "./sdk";

// `pulumi package add <this repository>` (PulumiPlugin.yaml) has Pulumi's plugin runner require this package as its
// program and host the components it exports with a generic provider, which cannot serve the mesh config edit. Only
// when loaded that way, the module is instead a function that starts mesh-egress's own plugin (the runner calls an
// exported function). Any other require gets the library and starts nothing.
const PLUGIN_RUNNER = /[\\/]@pulumi[\\/]pulumi[\\/]cmd[\\/]run-plugin[\\/]run\.js$/;
if (PLUGIN_RUNNER.test(module.parent?.filename ?? "")) {
    module.exports = () => require("./sdk/provider/main");
}
