// What a platform component publishes for each team it grants its gateway to: everything the team's component needs
// to attach (MeshEgressArgs.attachTo), but the platform's own identity, which the Pulumi layer adds.
import { EgressAttachment } from "../args";
import { NormalizedArgs } from "../validate/normalized";

export type TeamAttachment = Omit<EgressAttachment, "platform">;

export function teamAttachments(args: NormalizedArgs): Record<string, TeamAttachment> {
    if (args.dataplane !== "SIDECAR") return {};
    const { namespace, serviceName, selector, targetPorts } = args.gateway;
    const { version, namespace: istioNamespace, revision, rootNamespace } = args.istio;
    return Object.fromEntries(
        args.teams.map((team) => [
            team.name,
            {
                team: team.name,
                gatewayNamespace: namespace,
                gatewayServiceName: serviceName,
                gatewaySelector: selector,
                targetPorts: Object.fromEntries(Object.entries(targetPorts).map(([port, pod]) => [String(port), pod])),
                gatewayHopTls: args.hopTls,
                routingApi: args.routingApi,
                istio: { version, namespace: istioNamespace, revision, rootNamespace },
                namespaces: team.namespaces,
                modes: team.modes,
                ports: team.ports,
            },
        ]),
    );
}
