// Whether this process is mesh-egress's own provider plugin: MeshEgress is then constructed for a program in another
// language (or one that added the package with `pulumi package add`), not imported into a TypeScript program.
let hostedByPlugin = false;

/** Set once by the plugin's entry point, before it serves any request (and by tests). */
export function setHostedByPlugin(hosted: boolean): void {
    hostedByPlugin = hosted;
}

export function isHostedByPlugin(): boolean {
    return hostedByPlugin;
}
