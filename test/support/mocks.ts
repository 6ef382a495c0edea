// Runs a Pulumi program under the SDK's mock monitor and records every registration, including the parent,
// provider and dependencies the monitor receives (the Mocks interface itself does not expose them). Like the real
// engine, and unlike Pulumi's mock monitor, it refuses a second resource with a URN already registered.
import * as pulumi from "@pulumi/pulumi";

export interface Registration {
    type: string;
    name: string;
    custom: boolean;
    parent: string;
    provider: string;
    /** The provider version the registration asks for ("" when unset). */
    version: string;
    dependencies: string[];
    inputs: Record<string, any>;
}

/** The value Pulumi uses for unknowns in preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface MockRun {
    registrations: Registration[];
    warnings: string[];
}

/** URN of a registration's resource in the mock project "project" / stack "stack". */
export function urnOf(r: { type: string; name: string }, parentType = "mesh-egress:index:MeshEgress"): string {
    const type = r.type === parentType ? r.type : `${parentType}$${r.type}`;
    return `urn:pulumi:stack::project::${type}::${r.name}`;
}

export async function runProgram(program: () => void, options: { preview: boolean }): Promise<MockRun> {
    const registrations: Registration[] = [];
    const warnings: string[] = [];
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => ({
                // In preview a custom resource has no id yet; components get none either way.
                id: args.custom && !options.preview ? `${args.name}-id` : undefined,
                state: args.inputs,
            }),
            call: () => ({}),
        },
        "project",
        "stack",
        options.preview,
    );
    const monitor = pulumi.runtime.getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    const urns = new Set<string>();
    const duplicates: string[] = [];
    monitor.registerResource = (req: any, callback: any) => {
        // A URN holds the parent's type chain, not the parent's name: urn:pulumi:<stack>::<project>::<types>::<name>.
        const parentTypes = req.getParent() ? `${req.getParent().split("::")[2]}$` : "";
        const urn = `${parentTypes}${req.getType()}::${req.getName()}`;
        if (urns.has(urn)) duplicates.push(urn);
        urns.add(urn);
        registrations.push({
            type: req.getType(),
            name: req.getName(),
            custom: req.getCustom(),
            parent: req.getParent(),
            provider: req.getProvider(),
            version: req.getVersion(),
            dependencies: req.getDependenciesList(),
            inputs: pulumi.runtime.deserializeProperties(req.getObject()),
        });
        return register(req, callback);
    };
    const warn = pulumi.log.warn;
    (pulumi.log as any).warn = (message: string) => warnings.push(message);
    try {
        program();
        await (require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> }).waitForRPCs();
    } finally {
        (pulumi.log as any).warn = warn;
    }
    if (duplicates.length > 0) throw new Error(`Duplicate resource URN: ${duplicates.join(", ")}`);
    return { registrations, warnings };
}
