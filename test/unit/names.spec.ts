import { expect } from "chai";
import { createHash } from "node:crypto";
import { hopAlias, hostObjectName, hostSlug, upstreamAlias } from "../../sdk/naming/hosts";

describe("object names", () => {
    it("turns dots into single dashes", () => {
        expect(hostSlug("api.stripe.com")).to.equal("api-stripe-com");
    });
    it("doubles dashes so that no two hosts share a slug", () => {
        expect(hostSlug("a-b.com")).to.equal("a--b-com");
        expect(hostSlug("a.b-com")).to.equal("a-b--com");
        expect(hostSlug("a.b.com")).to.equal("a-b-com");
    });
    it("prefixes the component name", () => {
        expect(hostObjectName("egress", "aliyun.com")).to.equal("egress-aliyun-com");
    });
    it("cuts long names to 63 characters with a hash of the component name and the host", () => {
        const host = `${"sub".repeat(20)}.example.com`;
        const name = hostObjectName("egress", host);
        const hash = createHash("sha256").update(`egress\n${host}`).digest("hex").slice(0, 8);
        expect(name).to.equal(`egress-${"sub".repeat(20).slice(0, 47)}-${hash}`);
        expect(name).to.have.length(63);
    });
    it("gives long hosts that share a prefix different names", () => {
        const stem = `${"x".repeat(60)}.example`;
        expect(hostObjectName("egress", `${stem}.com`)).to.not.equal(hostObjectName("egress", `${stem}.org`));
    });
    it("names a host's aliases under mesh-egress.internal, after the component and the host", () => {
        expect(hopAlias("egress", "aliyun.com")).to.equal("egress-aliyun-com.gateway.mesh-egress.internal");
        expect(upstreamAlias("egress", "*.wikipedia.org")).to.equal(
            "egress-star---wikipedia-org.upstream.mesh-egress.internal",
        );
    });
});
