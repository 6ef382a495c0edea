// mesh-egress's policy pack: guardrails for every stack of an organization, run by `pulumi preview --policy-pack`
// (docs/teams.md, "Guardrails"). The rules are plain functions in rules.ts.
import { PolicyPack, ResourceValidationPolicy } from "@pulumi/policy";
import { Inspected, allowAnyMeshWide, allowPolicyOnEgressGateway, externalHostOutsideMeshEgress } from "./rules";

function policy(
    name: string,
    description: string,
    enforcementLevel: "advisory" | "mandatory",
    rule: (resource: Inspected) => string[],
): ResourceValidationPolicy {
    return {
        name,
        description,
        enforcementLevel,
        validateResource: (args, reportViolation) => {
            for (const finding of rule({ type: args.type, urn: args.urn, props: args.props })) reportViolation(finding);
        },
    };
}

new PolicyPack("mesh-egress", {
    policies: [
        policy(
            "external-host-outside-meshegress",
            "Istio objects that route an external host are declared in a MeshEgress component.",
            "mandatory",
            externalHostOutsideMeshEgress,
        ),
        policy("no-allow-any", "The mesh's outbound traffic policy is not ALLOW_ANY.", "advisory", allowAnyMeshWide),
        policy(
            "no-allow-policy-on-egress-gateway",
            "No ALLOW AuthorizationPolicy selects egress gateway pods (it would deny MeshEgress's hosts there).",
            "mandatory",
            allowPolicyOnEgressGateway,
        ),
    ],
});
