// Reads and edits `outboundTrafficPolicy.mode` inside Istio's mesh config YAML, leaving every other setting,
// comment and layout as it was.
import { Document, isMap, parseDocument } from "yaml";
import { ServiceEntryVisibilityConfig } from "./serviceEntryVisibility";

const PATH = ["outboundTrafficPolicy", "mode"];
// Istio's installers render the mesh config with Go's YAML library: sequences not indented, no line folding.
const GO_YAML_STYLE = { indentSeq: false, lineWidth: 0 };

function parseMesh(meshYaml: string): Document {
    const document = parseDocument(meshYaml);
    if (document.errors.length > 0) {
        throw new Error(`the mesh config is not valid YAML: ${document.errors[0].message}`);
    }
    if (document.contents !== null && !isMap(document.contents)) {
        throw new Error("the mesh config is not a YAML mapping");
    }
    return document;
}

/** The explicit mode, or undefined when the mesh config does not set one (Istio then uses ALLOW_ANY). */
export function readOutboundMode(meshYaml: string): string | undefined {
    const mode = parseMesh(meshYaml).getIn(PATH);
    return mode === undefined || mode === null ? undefined : String(mode);
}

/** `defaultVirtualServiceExportTo`, or undefined when the mesh config does not set it (Istio then uses "*"). */
export function readDefaultVirtualServiceExportTo(meshYaml: string): string[] | undefined {
    const value = parseMesh(meshYaml).toJS()?.defaultVirtualServiceExportTo;
    return Array.isArray(value) ? value.map(String) : undefined;
}

/** `serviceEntryVisibility` (Istio 1.31), or undefined when the mesh config does not set it (every ServiceEntry PUBLIC). */
export function readServiceEntryVisibility(meshYaml: string): ServiceEntryVisibilityConfig | undefined {
    const value = parseMesh(meshYaml).toJS()?.serviceEntryVisibility;
    return value && typeof value === "object" ? value : undefined;
}

/** The mesh config with the mode set, or removed when `mode` is undefined. */
export function withOutboundMode(meshYaml: string, mode: string | undefined): string {
    const document = parseMesh(meshYaml);
    if (mode === undefined) {
        document.deleteIn(PATH);
        const policy = document.getIn(["outboundTrafficPolicy"]);
        if (isMap(policy) && policy.items.length === 0) document.deleteIn(["outboundTrafficPolicy"]);
    } else {
        document.setIn(PATH, mode);
    }
    const text = document.toString(GO_YAML_STYLE);
    // Keep the original's ending, so removing what was added gives back the original byte for byte.
    return meshYaml.endsWith("\n") || meshYaml === "" ? text : text.replace(/\n$/, "");
}
