/**
 * The layers of the codebase and the one direction imports may point (docs/architecture.md):
 *
 *   domain  <-  workflows
 *   domain  <-  infra  <-  db  <-  services  <-  activities, api  <-  worker
 *
 * `npm run lint` runs this: an import against the direction, or any import cycle, fails CI.
 * scripts/, bench/ and test/ sit outside the layers and may use any of them.
 */
const LAYERS = {
  domain: [],
  workflows: ['domain'],
  infra: ['domain'],
  db: ['domain', 'infra'],
  services: ['domain', 'infra', 'db'],
  activities: ['domain', 'infra', 'db', 'services'],
  api: ['domain', 'infra', 'db', 'services'],
  worker: ['domain', 'infra', 'db', 'services', 'activities'],
};

const backwards = Object.entries(LAYERS).map(([layer, allowed]) => ({
  name: `${layer}-imports-one-way`,
  comment: `${layer}/ may import only ${[layer, ...allowed].join(', ')} (see docs/architecture.md)`,
  severity: 'error',
  from: { path: `^${layer}/` },
  to: {
    path: '^(domain|workflows|infra|db|services|activities|api|worker|scripts|bench|test)/',
    pathNot: `^(${[layer, ...allowed].join('|')})/`,
  },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Import cycles tie modules together so that neither can change alone',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...backwards,
    {
      name: 'deterministic-code-has-no-node-io',
      comment: 'domain/ and workflows/ run in the workflow sandbox (or beside it): no Node built-ins',
      severity: 'error',
      from: { path: '^(domain|workflows)/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'domain-and-workflows-use-no-io-packages',
      comment: 'Persistence, mail, HTTP and the Temporal client belong to the outer layers',
      severity: 'error',
      from: { path: '^(domain|workflows)/' },
      to: {
        path: 'node_modules/(typeorm|mysql2|better-sqlite3|nodemailer|express|pino|@temporalio/(client|worker|activity))/',
      },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|\\.tools|data|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
