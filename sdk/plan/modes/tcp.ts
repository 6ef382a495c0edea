// TCP and CIDR destinations (Istio blog "Consuming External MongoDB Services", the ServiceEntry reference): the app
// opens a TCP connection, recognised by its port and, when given, the ServiceEntry's `addresses`; the egress point
// forwards it to the host's static endpoints or its DNS name. `resolution: NONE` is never used: through an egress
// point it would make the egress point forward to its own address.
import { ModeRecipe } from "./recipe";

export const tcpMode: ModeRecipe = {
    resolution: (host) => (host.tcp!.endpoints.length > 0 ? "STATIC" : "DNS"),
    serviceEntryFields: (host) => {
        const { addresses, endpoints } = host.tcp!;
        const fields: Record<string, unknown> = {};
        if (addresses.length > 0) fields.addresses = addresses;
        if (endpoints.length > 0) fields.endpoints = endpoints.map((address) => ({ address }));
        return fields;
    },
};
