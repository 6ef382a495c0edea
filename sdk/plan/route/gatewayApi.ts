// The routing API "GATEWAY_API": the same path as the Istio routes (istio.ts) (client sidecar → the host's hop alias → gateway
// → host), written in Kubernetes Gateway API kinds as Istio's egress tasks show them in their Gateway API tabs.
//
// - One shared `Gateway` of class `istio`, bound to the gateway's Service through `spec.addresses` (Istio's manual
//   deployment: the pods stay the ones MeshEgress or the user runs). It takes listeners from ListenerSets of its own
//   namespace, so adding a host never rewrites it; its one listener of its own (the API requires one) takes no routes.
// - Per host: a `ListenerSet` with the host's listener on its gateway port (hostname = the host, so each host keeps a
//   filter chain of its own on a shared port); a route for the gateway hop attached to that listener, leading to the
//   host (or the upstream alias only the gateway sees); and a route for the mesh hop attached to the host's
//   ServiceEntry, leading to the host's hop alias (a `Hostname` backend), as the VirtualServices do.
// - Route kinds: HTTP apps use HTTPRoute on both hops. TLS apps: TLSRoute on the mesh hop (by SNI); on the gateway,
//   TLSRoute behind a passthrough listener, TCPRoute behind the mutual-TLS hop's terminating listener. TCP apps:
//   TCPRoute on both hops. The mutual-TLS hop is Istio's listener option `gateway.istio.io/tls-terminate-mode:
//   ISTIO_MUTUAL` with the hop alias's DestinationRule, as in the Istio recipes.
import { derivedName } from "../../naming/hosts";
import { NormalizedArgs } from "../../validate/normalized";
import { hostObject } from "../context";
import { Manifest } from "../manifest";
import { HostRouting, RoutedHost } from "./routed";

export const GATEWAY_API_VERSION = "gateway.networking.k8s.io/v1";
const GATEWAY_API_GROUP = "gateway.networking.k8s.io";
const ISTIO_NETWORKING_GROUP = "networking.istio.io";

/**
 * The Gateway's own listener, required by the API and never used: TCP, on a port no host can have (Istio's reserved
 * range, unused by its proxies), accepting routes from no namespace. Istio builds no Envoy listener for it.
 */
export const UNUSED_LISTENER = { name: "no-routes", port: 15084 } as const;

/**
 * Selects no namespace: the API server labels every namespace with its name (allowedRoutes has no `from: None`,
 * unlike allowedListeners).
 */
const NO_NAMESPACE = {
    from: "Selector",
    selector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "DoesNotExist" }] },
};

/** The listener's name inside each host's ListenerSet, as routes reference it. */
const HOST_LISTENER = "egress";

export function sharedGatewayName(args: NormalizedArgs): string {
    return derivedName(args.name, "gateway");
}

/** The shared Gateway, bound to the gateway Service MeshEgress deploys or the existing one. */
export function sharedGateway(args: NormalizedArgs, labels: Record<string, string>): Manifest {
    const { serviceName, namespace } = args.gateway;
    return {
        apiVersion: GATEWAY_API_VERSION,
        kind: "Gateway",
        metadata: { name: sharedGatewayName(args), namespace, labels },
        spec: {
            gatewayClassName: "istio",
            // A short name: istiod expands it with the Gateway's namespace and the mesh's own domain suffix.
            addresses: [{ type: "Hostname", value: serviceName }],
            allowedListeners: { namespaces: { from: "Same" } },
            listeners: [
                {
                    name: UNUSED_LISTENER.name,
                    port: UNUSED_LISTENER.port,
                    protocol: "TCP",
                    allowedRoutes: { namespaces: NO_NAMESPACE },
                },
            ],
        },
    };
}

function gatewayApiObject(context: RoutedHost, kind: string, spec: Record<string, unknown>, name: string): Manifest {
    return hostObject(context, kind, spec, { name, apiVersion: GATEWAY_API_VERSION });
}

const ISTIO_MUTUAL_TERMINATION = {
    mode: "Terminate",
    options: { "gateway.istio.io/tls-terminate-mode": "ISTIO_MUTUAL" },
};

/** The host's listener on the gateway, and the kind of route its gateway hop takes. */
function hostListener(context: RoutedHost): { listener: Record<string, unknown>; gatewayRouteKind: string } {
    const { host, appProtocol, gatewayPort } = context.host;
    const base = { name: HOST_LISTENER, port: gatewayPort, allowedRoutes: { namespaces: { from: "Same" } } };
    if (context.mutualHop) {
        // The hop's SNI names the host (a name under it for a wildcard), which the listener's hostname matches.
        return appProtocol === "HTTP"
            ? {
                  listener: { ...base, hostname: host, protocol: "HTTPS", tls: ISTIO_MUTUAL_TERMINATION },
                  gatewayRouteKind: "HTTPRoute",
              }
            : {
                  listener: { ...base, hostname: host, protocol: "TLS", tls: ISTIO_MUTUAL_TERMINATION },
                  gatewayRouteKind: "TCPRoute",
              };
    }
    if (appProtocol === "HTTP") {
        return { listener: { ...base, hostname: host, protocol: "HTTP" }, gatewayRouteKind: "HTTPRoute" };
    }
    if (appProtocol === "TLS") {
        return {
            listener: { ...base, hostname: host, protocol: "TLS", tls: { mode: "Passthrough" } },
            gatewayRouteKind: "TLSRoute",
        };
    }
    // Plain TCP has no name on the wire: the host has a gateway port of its own.
    return { listener: { ...base, protocol: "TCP" }, gatewayRouteKind: "TCPRoute" };
}

const MESH_ROUTE_KIND = { HTTP: "HTTPRoute", TLS: "TLSRoute", TCP: "TCPRoute" } as const;

function hostnameBackend(name: string, port: number): Record<string, unknown> {
    return { group: ISTIO_NETWORKING_GROUP, kind: "Hostname", name, port };
}

export function gatewayApiRouting(context: RoutedHost): HostRouting {
    const { host, port, appProtocol, gatewayPort } = context.host;
    const { listener, gatewayRouteKind } = hostListener(context);
    const listenerSet = gatewayApiObject(
        context,
        "ListenerSet",
        {
            parentRef: { group: GATEWAY_API_GROUP, kind: "Gateway", name: context.sharedGatewayName },
            listeners: [listener],
        },
        context.objectName,
    );
    const { to } = context;
    // TCPRoutes carry no hostnames; HTTP and TLS routes name the host they serve.
    const hostnames = (kind: string) => (kind === "TCPRoute" ? {} : { hostnames: [host] });
    const gatewayRoute = gatewayApiObject(
        context,
        gatewayRouteKind,
        {
            parentRefs: [
                { group: GATEWAY_API_GROUP, kind: "ListenerSet", name: context.objectName, sectionName: HOST_LISTENER },
            ],
            ...hostnames(gatewayRouteKind),
            rules: [{ name: "egress-gateway-to-host", backendRefs: [hostnameBackend(to.host, to.port)] }],
        },
        context.gatewayRouteName,
    );
    const meshRouteKind = MESH_ROUTE_KIND[appProtocol];
    const meshRoute = gatewayApiObject(
        context,
        meshRouteKind,
        {
            parentRefs: [{ group: ISTIO_NETWORKING_GROUP, kind: "ServiceEntry", name: context.objectName, port }],
            ...hostnames(meshRouteKind),
            rules: [{ name: "mesh-to-egress-gateway", backendRefs: [hostnameBackend(context.hopAlias, gatewayPort)] }],
        },
        context.objectName,
    );
    return { listener: listenerSet, routes: [gatewayRoute, meshRoute] };
}
