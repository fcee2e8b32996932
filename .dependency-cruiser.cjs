// Which module may import which: the layers the README's Architecture section describes, checked by
// `npm run architecture` (part of `npm test`). A rule names what is forbidden and why.

/** Library clients that only their adapters (and the entry points that wire them) may import. */
const ADAPTED = [
  ["^@slack/", "^src/(slack|cli)/|^src/ops/log\\.ts$", "Slack"],
  ["^bullmq$", "^src/queue/|^jobs/", "BullMQ"],
  ["^ioredis$", "^src/(queue|store|cli)/", "Redis"],
  ["^(ssh2|node-ssh)$", "^src/ssh/", "SSH"],
  ["^@kubernetes/client-node$", "^src/k8s/", "the Kubernetes client"],
];

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "Import cycles make layers meaningless and start-up order fragile.",
      from: {},
      to: { circular: true },
    },
    {
      name: "analysis-is-pure",
      severity: "error",
      comment:
        "src/analysis is the functional core: it imports only itself (no I/O, no clients, no Node APIs).",
      from: { path: "^src/analysis/" },
      to: { pathNot: "^src/analysis/" },
    },
    {
      name: "history-rules-are-pure",
      severity: "error",
      comment:
        "src/history holds memory history's model and rules: pure like src/analysis, which it may use (and the error type); the Prometheus client lives in src/metrics.",
      from: { path: "^src/history/" },
      to: { pathNot: "^src/(history|analysis)/|^src/errors\\.ts$" },
    },
    {
      name: "renderers-hold-no-state",
      severity: "error",
      comment: "Renderers and catalogs turn values into words and blocks: no store, queue or Redis.",
      from: { path: "^src/(slack/render|slack/i18n|report)/" },
      to: { path: "^src/(store|queue)/|^(bullmq|ioredis)$|^@slack/bolt$" },
    },
    {
      name: "nothing-imports-entry-points",
      severity: "error",
      comment: "src/cli wires everything; nothing depends on it, and src/ never depends on jobs/.",
      from: { path: "^(src|jobs)/", pathNot: "^src/cli/" },
      to: { path: "^src/cli/" },
    },
    {
      name: "src-does-not-import-processors",
      severity: "error",
      comment: "jobs/ composes src/; the other way round would be a cycle in waiting.",
      from: { path: "^src/", pathNot: "^src/cli/" },
      to: { path: "^jobs/" },
    },
    ...ADAPTED.map(([library, allowed, what]) => ({
      name: `only-adapters-import-${what.replaceAll(" ", "-").toLowerCase()}`,
      severity: "error",
      comment: `${what} is reached through its adapter; type-only imports elsewhere are allowed.`,
      from: { path: "^(src|jobs)/", pathNot: allowed },
      to: { path: library, dependencyTypesNot: ["type-only"] },
    })),
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
    },
  },
};
