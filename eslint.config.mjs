// Lint rules, run by `npm test`. Besides the usual TypeScript checks, they enforce the floors of sdk/ (README of
// DEVELOPMENT.md, "Layout"): public args → validate → plan (pure) → the Pulumi layer → the plugin on top. Imports
// point downward only, and nothing imports in a cycle.
import js from "@eslint/js";
import pulumi from "@pulumi/eslint-plugin";
import prettier from "eslint-config-prettier";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import importX from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

// The Pulumi layer: the component and the resources it registers. Below it, nothing touches Pulumi.
const PULUMI_LAYER = [
    "./sdk/meshEgress.ts",
    "./sdk/clusterCheck.ts",
    "./sdk/kinds.ts",
    "./sdk/meshConfig",
    "./sdk/packageInfo.ts",
];
// Reads of the live cluster (API access, the mesh config, ownership, the preflight): Pulumi-free, used by the
// Pulumi layer and the plugin, above the plan whose objects it checks.
const CLUSTER = ["./sdk/cluster"];
const PLUGIN = ["./sdk/provider"];
// The audit tool (`mesh-egress discover`) is a top floor of its own: it reads logs, and the library never imports it.
const DISCOVER = ["./sdk/discover"];
// Everything above the bottom floors (args, naming).
const ABOVE_BOTTOM = ["./sdk/validate", "./sdk/plan", ...CLUSTER, ...PULUMI_LAYER, ...PLUGIN, ...DISCOVER];

/** Floors above `target` that it must not import, and why. */
function floor(target, above, message) {
    return { target, from: above, message };
}

export default tseslint.config(
    {
        ignores: [
            "bin/**",
            "node_modules/**",
            "examples/*/node_modules/**",
            "examples/*/sdks/**",
            "test/.tmp/**",
            "**/*.js",
        ],
    },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    importX.flatConfigs.typescript,
    {
        settings: {
            "import-x/resolver-next": [
                createTypeScriptImportResolver({
                    project: ["tsconfig.json", "test/tsconfig.json"],
                    noWarnOnMultipleProjects: true,
                }),
            ],
        },
        rules: {
            "import-x/no-cycle": "error",
            "import-x/no-self-import": "error",
            "import-x/no-useless-path-segments": "error",
            "import-x/no-restricted-paths": [
                "error",
                {
                    zones: [
                        floor("./sdk/args", [...ABOVE_BOTTOM, "./sdk/naming"], "args are a bottom floor"),
                        floor(
                            "./sdk/naming",
                            [...ABOVE_BOTTOM, "./sdk/args"],
                            "naming is a bottom floor: names derive from strings alone",
                        ),
                        floor(
                            "./sdk/validate",
                            ["./sdk/plan", ...CLUSTER, ...PULUMI_LAYER, ...PLUGIN],
                            "validate sits below the plan and the Pulumi layer",
                        ),
                        floor(
                            "./sdk/plan",
                            [...CLUSTER, ...PULUMI_LAYER, ...PLUGIN],
                            "the plan is pure: no live cluster, no Pulumi layer, no plugin",
                        ),
                        floor(
                            CLUSTER,
                            [...PULUMI_LAYER, ...PLUGIN],
                            "the live-cluster floor sits below the Pulumi layer, which uses it and never the other way",
                        ),
                        floor(PULUMI_LAYER, PLUGIN, "the plugin is the top floor: nothing in the library imports it"),
                        floor(
                            [
                                "./sdk/args",
                                "./sdk/naming",
                                "./sdk/validate",
                                "./sdk/plan",
                                ...CLUSTER,
                                ...PULUMI_LAYER,
                                ...PLUGIN,
                            ],
                            DISCOVER,
                            "the discover command is a top floor: nothing in the library imports it",
                        ),
                        floor(
                            "./sdk/meshConfig",
                            ["./sdk/meshEgress.ts"],
                            "the mesh config edit knows nothing of the component",
                        ),
                    ],
                },
            ],
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-require-imports": "off",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", ignoreRestSiblings: true }],
        },
    },
    {
        // Below the Pulumi layer nothing may touch Pulumi: the plan and validation run in tests, benchmarks and the
        // Istio simulator without a Pulumi runtime. Args only name Pulumi's Input types.
        files: [
            "sdk/naming/**/*.ts",
            "sdk/validate/**/*.ts",
            "sdk/plan/**/*.ts",
            "sdk/discover/**/*.ts",
            "sdk/cluster/**/*.ts",
        ],
        rules: {
            "no-restricted-imports": [
                "error",
                {
                    patterns: [
                        {
                            group: ["@pulumi/*"],
                            message: "naming/, validate/, plan/, cluster/ and discover/ run without a Pulumi runtime",
                        },
                    ],
                },
            ],
        },
    },
    {
        files: ["sdk/args/**/*.ts"],
        rules: {
            "no-restricted-imports": [
                "error",
                {
                    patterns: [
                        {
                            group: ["@pulumi/*", "!@pulumi/pulumi"],
                            message: "args name only @pulumi/pulumi's Input types",
                        },
                    ],
                },
            ],
        },
    },
    {
        // Pulumi-specific checks (Outputs in template literals) need type information.
        files: ["sdk/**/*.ts", "index.ts"],
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        plugins: { "@pulumi": pulumi },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
        },
    },
    prettier,
);
