// The path the mesh config resource loads its live-cluster code from at run time (resource.ts), which every deployed
// stack's state records: it stays, and hands on sdk/cluster/meshConfig.ts, where that code lives.
export * from "../cluster/meshConfig";
