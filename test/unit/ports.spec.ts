// The dedicated gateway port allocator: deterministic, list-order independent, stable for a host unless another
// host's derived port lands close below its own.
import { expect } from "chai";
import fc from "fast-check";
import { DEDICATED_PORT_RANGE, PortRequest, allocatePorts, derivedPort } from "../../sdk/validate/ports";

const hostName = fc
    .tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/), fc.constantFrom("com", "io", "org", "net"))
    .map(([label, tld]) => `${label}.${tld}`);
const hostSet = fc.uniqueArray(hostName, { minLength: 1, maxLength: 40 });

function ports(hosts: string[], fixed: Record<string, number> = {}, taken: number[] = []): Map<string, number> {
    return allocatePorts(
        hosts.map((host): PortRequest => ({ host, fixed: fixed[host] })),
        taken,
    );
}

/** With linear probing only a host whose derived port lies within `n` ports below `host`'s can displace it. */
function uncontested(host: string, others: string[]): boolean {
    const own = derivedPort(host);
    return others.every((other) => {
        const distance = own - derivedPort(other);
        return other === host || distance < 0 || distance > others.length;
    });
}

describe("dedicated gateway ports", () => {
    it("derives a host's port from SHA-256 of the host, so it is the same in every release", () => {
        // 20000 + (first 4 bytes of SHA-256 mod 12768), as documented: a change here moves every dedicated port.
        expect(derivedPort("api.stripe.com")).to.equal(30249);
        expect(derivedPort("mongo.example.com")).to.equal(29542);
    });

    it("derives every port inside 20000-32767", () => {
        fc.assert(
            fc.property(hostName, (host) => {
                const port = derivedPort(host);
                return port >= DEDICATED_PORT_RANGE.from && port <= DEDICATED_PORT_RANGE.to;
            }),
        );
    });

    it("gives every host a distinct port, avoiding ports already taken", () => {
        fc.assert(
            fc.property(
                hostSet,
                fc.uniqueArray(fc.integer({ min: 20000, max: 20100 }), { maxLength: 20 }),
                (hosts, taken) => {
                    const assigned = [...ports(hosts, {}, taken).values()];
                    expect(new Set(assigned).size).to.equal(hosts.length);
                    expect(assigned.filter((p) => taken.includes(p))).to.deep.equal([]);
                },
            ),
        );
    });

    it("does not depend on the order of hosts", () => {
        fc.assert(
            fc.property(hostSet, fc.func(fc.integer()), (hosts, key) => {
                const shuffled = [...hosts].sort((a, b) => key(a) - key(b));
                expect(Object.fromEntries(ports(shuffled))).to.deep.equal(Object.fromEntries(ports(hosts)));
            }),
        );
    });

    it("keeps an uncontested host's port when other hosts are added or removed", () => {
        fc.assert(
            fc.property(hostSet, hostSet, (before, added) => {
                const after = [...new Set([...before.slice(1), ...added])];
                for (const host of before.filter((h) => after.includes(h))) {
                    if (uncontested(host, [...before, ...after])) {
                        expect(ports(after).get(host), host).to.equal(ports(before).get(host));
                    }
                }
            }),
        );
    });

    it("resolves a collision by moving the host whose name sorts later to the next free port", () => {
        // Two real hosts with the same derived port, found by search (the birthday bound makes it quick).
        const byPort = new Map<number, string>();
        let pair: [string, string] | undefined;
        for (let i = 0; !pair; i++) {
            const host = `h${i}.example.com`;
            const twin = byPort.get(derivedPort(host));
            if (twin) pair = [twin, host].sort() as [string, string];
            byPort.set(derivedPort(host), host);
        }
        const [first, second] = pair;
        const assigned = ports([second, first]);
        expect(assigned.get(first)).to.equal(derivedPort(first));
        expect(assigned.get(second)).to.equal(derivedPort(first) + 1);
    });

    it("wraps around from the top of the range", () => {
        const taken = Array.from(
            { length: DEDICATED_PORT_RANGE.to - derivedPort("a.com") + 1 },
            (_, i) => derivedPort("a.com") + i,
        );
        expect(ports(["a.com"], {}, taken).get("a.com")).to.equal(DEDICATED_PORT_RANGE.from);
    });

    it("honours explicit ports and keeps derived ones clear of them", () => {
        fc.assert(
            fc.property(hostSet, (hosts) => {
                const pinned = hosts[0];
                const fixed = derivedPort(hosts[hosts.length - 1]);
                const assigned = ports(hosts, { [pinned]: fixed });
                expect(assigned.get(pinned)).to.equal(fixed);
                expect([...assigned.entries()].filter(([h, p]) => h !== pinned && p === fixed)).to.deep.equal([]);
            }),
        );
    });
});
