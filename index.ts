// Package entry point (Pulumi's schema analyzer looks for index.ts at the root): the component lives in sdk/.
export * from "./sdk";
