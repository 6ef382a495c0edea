// What makes a host name routable: concrete DNS names, leading wildcards, IP addresses and CIDRs.
import { isIP } from "node:net";
import { INTERNAL_DOMAIN } from "../naming/hosts";
import { dns1123LabelProblem } from "./kubernetes";
import { show } from "./problems";

/** Why `host` is not an external DNS name MeshEgress can route, or undefined when it is one. */
export function hostProblem(host: string): string | undefined {
    if (host.length === 0) return "is empty";
    if (isIP(host) || isIP(host.replace(/^\[|\]$/g, ""))) {
        return "is an IP address; a DNS name is required";
    }
    if (host.includes("*")) return "is a wildcard where a concrete DNS name is required";
    if (host.length > 253) return "is longer than 253 characters";
    const labels = host.split(".");
    const bad = labels.find((label) => dns1123LabelProblem(label) !== undefined);
    if (bad !== undefined) {
        return (
            `is not a valid DNS name: label ${show(bad)} must be 1 to 63 characters of a-z, 0-9 and "-", ` +
            `not starting or ending with "-"`
        );
    }
    if (labels.length < 2)
        return 'is not fully qualified; an external host has at least two labels, e.g. "example.com"';
    // RFC 3696 section 2: a top-level domain is never all-numeric (such a name would read as an address).
    const top = labels[labels.length - 1];
    if (/^\d+$/.test(top)) return `has an all-numeric top-level label ${show(top)}, which no DNS name has`;
    if (host === INTERNAL_DOMAIN || host.endsWith(`.${INTERNAL_DOMAIN}`)) {
        return `is under ${INTERNAL_DOMAIN}, which MeshEgress reserves for the aliases it declares itself`;
    }
    if (host === "cluster.local" || host.endsWith(".cluster.local") || labels[labels.length - 1] === "svc") {
        return "is a cluster-local name; MeshEgress routes hosts outside the mesh";
    }
    return undefined;
}

/** Why `host` is not a host MeshEgress can route: a concrete DNS name, or `*.` followed by one. */
export function routableHostProblem(host: string): string | undefined {
    if (host === "*") {
        return (
            'is a bare "*", which would send every host to one upstream; list the hosts, or leave undeclared ' +
            "hosts to outboundTrafficPolicy ALLOW_ANY"
        );
    }
    if (!host.startsWith("*.")) return hostProblem(host);
    const rest = host.slice(2);
    if (rest.includes("*")) return 'has more than one "*"; only a single leading "*." is supported';
    if (rest.split(".").length < 2)
        return 'is too broad: a wildcard needs at least two labels after "*.", e.g. "*.example.com"';
    const problem = hostProblem(rest);
    return problem ? `is not a valid wildcard: "${rest}" ${problem}` : undefined;
}
