// The documentation a user reads first: README stays short and states the set-up, test and main-job commands; every
// relative link in README, DEVELOPMENT.md and docs/ points at something that exists.
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";

const REPO = path.join(__dirname, "..", "..");
const PAGES = ["README.md", "DEVELOPMENT.md", ...fs.readdirSync(path.join(REPO, "docs")).map((f) => `docs/${f}`)];

/** GitHub's anchor for a heading: lower-cased, punctuation dropped, spaces to dashes. */
function anchor(heading: string): string {
    return heading
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, "")
        .replace(/ /g, "-");
}

function brokenLinks(page: string): string[] {
    const text = fs.readFileSync(path.join(REPO, page), "utf8");
    const broken: string[] = [];
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^(https?:|mailto:)/.test(target)) continue;
        const [file, fragment] = target.split("#");
        const resolved = file ? path.join(REPO, path.dirname(page), file) : path.join(REPO, page);
        if (!fs.existsSync(resolved)) {
            broken.push(`${page}: ${target}`);
            continue;
        }
        if (fragment && resolved.endsWith(".md")) {
            const headings = [...fs.readFileSync(resolved, "utf8").matchAll(/^#+ (.*)$/gm)].map(([, h]) => anchor(h));
            if (!headings.includes(fragment)) broken.push(`${page}: ${target} (no such heading)`);
        }
    }
    return broken;
}

describe("the documentation", () => {
    it("README is about 150 lines at most", () => {
        const lines = fs.readFileSync(path.join(REPO, "README.md"), "utf8").split("\n").length;
        expect(lines).to.be.at.most(160);
    });

    it("README's first table names npm run setup, npm test and npm run demo", () => {
        const readme = fs.readFileSync(path.join(REPO, "README.md"), "utf8");
        const firstTable = readme.slice(0, readme.indexOf("\n\n", readme.indexOf("| what | command |")));
        for (const command of ["`npm run setup`", "`npm test`", "`npm run demo`"])
            expect(firstTable).to.include(command);
    });

    it(".ci/run runs exactly README's install and test commands", () => {
        const ci = fs.readFileSync(path.join(REPO, ".ci", "run"), "utf8");
        const commands = ci.split("\n").filter((line) => /^npm /.test(line));
        expect(commands).to.deep.equal(["npm run setup", "npm test"]);
    });

    for (const page of PAGES) {
        it(`every relative link in ${page} resolves`, () => {
            expect(brokenLinks(page)).to.deep.equal([]);
        });
    }
});

describe("DEVELOPMENT.md's layout block", () => {
    const text = fs.readFileSync(path.join(REPO, "DEVELOPMENT.md"), "utf8");
    const block = /## Layout[^\n]*\n+```\n([\s\S]*?)```/.exec(text)?.[1] ?? "";
    /** The paths the block names, one per line that starts with one. */
    const listed = block
        .split("\n")
        .map((line) => /^(\S+)/.exec(line)?.[1])
        .filter((entry): entry is string => entry !== undefined);

    it("names only paths that exist", () => {
        expect(listed.filter((entry) => !fs.existsSync(path.join(REPO, entry)))).to.deep.equal([]);
    });

    it("names every file and folder of sdk/", () => {
        const tree = fs
            .readdirSync(path.join(REPO, "sdk"), { withFileTypes: true })
            .map((entry) => `sdk/${entry.name}${entry.isDirectory() ? "/" : ""}`);
        expect(tree.filter((entry) => !listed.includes(entry))).to.deep.equal([]);
    });
});
