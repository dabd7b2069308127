/**
 * The database layer against real databases: always SQLite (a temp file), and MySQL/MariaDB
 * when TEST_MYSQL_URL is set, e.g. TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/aimsflow_test.
 * The MySQL database named in the URL is dropped and recreated at the start of the run.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { createPersistenceActivities } from '../../activities';
import type {
  DomainRecords,
  PersistenceActivities,
  ProgrammeStatusRecord,
} from '../../domain/contracts/persistence';
import type {
  ApprovalState,
  AuditRecord,
  Certificate,
  Finding,
  RoadmapTask,
  TransitionRecord,
} from '../../domain/types';
import { ProgrammeConfig } from '../../domain/schemas';
import { canonicalJson, sha256Hex } from '../../db/canonical-json';
import { createDataSource, describeDatabase, openDatabase } from '../../db/data-source';
import { parseDatabaseUrl } from '../../db/database-url';
import { buildEntities } from '../../db/entities';
import { DuplicateError, ProgrammeNotFoundError } from '../../db/errors';
import { MIGRATIONS } from '../../db/migrations';
import { ProgrammeRepository } from '../../db/repository';
import { testDatabases } from '../support/databases';

const TABLES = [
  'programmes',
  'stage_transitions',
  'assessments',
  'roadmap_tasks',
  'artefacts',
  'audits',
  'findings',
  'approval_decisions',
  'certificates',
] as const;

const targets = testDatabases();

/**
 * Opens a database from a separate Node process, as the API and the worker do at start-up.
 * Each child loads everything first and then waits for "go", so that the processes really do
 * migrate at the same moment. TypeScript is transpiled on require: no build step needed.
 */
const OPEN_IN_CHILD = `
const fs = require('node:fs');
const ts = require('typescript');
require.extensions['.ts'] = (module, file) => {
  const options = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
  module._compile(ts.transpileModule(fs.readFileSync(file, 'utf8'), { compilerOptions: options }).outputText, file);
};
const { openDatabase } = require(process.argv[1]);
require('better-sqlite3');
process.stdin.once('data', () =>
  openDatabase(process.argv[2]).then((ds) => ds.destroy()).then(
    () => process.exit(0),
    (err) => { console.error(err); process.exit(1); },
  ),
);
process.stdout.write('ready');
`;

async function openInProcessesAtOnce(
  url: string,
  processes: number,
): Promise<{ code: number | null; stderr: string }[]> {
  const dataSourceModule = path.resolve(__dirname, '../../db/data-source.ts');
  const children = Array.from({ length: processes }, () =>
    spawn(process.execPath, ['-e', OPEN_IN_CHILD, dataSourceModule, url], {
      cwd: path.resolve(__dirname, '../..'),
    }),
  );
  const exits = children.map(
    (child) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('close', (code) => resolve({ code, stderr }));
      }),
  );
  await Promise.all(children.map((child) => new Promise((resolve) => child.stdout.once('data', resolve))));
  for (const child of children) child.stdin.end('go');
  return Promise.all(exits);
}

// ---- fixtures ------------------------------------------------------------------------------

const CONFIG: ProgrammeConfig = ProgrammeConfig.parse({});

const programme = (programmeId: string, organisation = 'Acme Ltd') => ({
  programmeId,
  organisation,
  name: `AIMS ${programmeId}`,
  workflowId: `programme-${programmeId}`,
  config: CONFIG,
});

const transition = (
  programmeId: string,
  n: number,
  to: TransitionRecord['to'] = 'GAP_ANALYSIS',
): TransitionRecord => ({
  id: `programme-${programmeId}/c1/${n}`,
  programmeId,
  cycle: 1,
  from: n === 1 ? null : 'SCOPING',
  to,
  stage: 'GAP_ANALYSIS',
  reason: 'Scoping complete',
  at: `2026-02-0${n}T10:00:00.000Z`,
});

const certificate: Certificate = {
  number: 'AIMS-0001',
  decisionDate: '2026-06-01T00:00:00.000Z',
  expiresOn: '2029-06-01T00:00:00.000Z',
  status: 'ACTIVE',
  cycle: 1,
  decisionStepKey: 'c1.CERTIFICATION.1',
};

const status = (
  programmeId: string,
  stage: string,
  extra: Partial<ProgrammeStatusRecord> = {},
): ProgrammeStatusRecord => ({
  programmeId,
  status: 'ACTIVE',
  cycle: 1,
  step: stage,
  stage,
  overdue: false,
  nextDueAt: '2026-03-01T00:00:00.000Z',
  ...extra,
});

const task: RoadmapTask = {
  id: 'T-1',
  requirementId: '6.1.4',
  title: 'Write the AI impact assessment procedure',
  owner: 'lead@acme.test',
  deadline: '2026-04-01T00:00:00.000Z',
  status: 'open',
};

const audit: AuditRecord = {
  id: 'AU-1',
  audit: 'internal',
  stepKey: 'c1.INTERNAL_AUDIT.1',
  attempt: 1,
  firstDay: '2026-05-01T00:00:00.000Z',
  lastDay: '2026-05-02T00:00:00.000Z',
  auditors: ['Ines Auditor'],
  independent: true,
};

const finding: Finding = {
  id: 'F-1',
  audit: 'internal',
  auditId: 'AU-1',
  stepKey: 'c1.INTERNAL_AUDIT.1',
  grade: 'minor_nc',
  requirementId: '8.4',
  description: 'Impact assessments are not repeated after model changes.',
  status: 'open',
  raisedAt: '2026-05-02T12:00:00.000Z',
};

const approval: ApprovalState & { decisionId: string; stepKey: string } = {
  decisionId: 'decision-1',
  stepKey: 'c1.SCOPING.1',
  gate: 'scopeApproved',
  artefact: 'scope',
  artefactVersion: 1,
  approverRole: 'sponsor',
  outcome: 'approved',
  approver: 'sponsor@acme.test',
  decidedAt: '2026-01-20T09:00:00.000Z',
};

function everyRecord(): DomainRecords {
  return {
    assessments: [
      {
        requirementId: '6.1.4',
        status: 'not_compliant',
        assessor: 'lead@acme.test',
        evidence: ['gap-report.pdf'],
        assessedAt: '2026-01-25T00:00:00.000Z',
      },
      {
        requirementId: 'A.10.4',
        status: 'not_applicable',
        justification: 'No external customers receive AI outputs directly',
        assessor: 'lead@acme.test',
        evidence: [],
        assessedAt: '2026-01-25T00:00:00.000Z',
      },
    ],
    tasks: [task],
    artefacts: [
      {
        kind: 'scope',
        key: '',
        version: 1,
        submittedAt: '2026-01-10T00:00:00.000Z',
        body: { statement: 'All of it' },
      },
    ],
    audits: [audit],
    findings: [finding],
    approvals: [approval],
    certificate,
  };
}

/** About 200 KB of JSON, well beyond MySQL TEXT's 64 KB. */
function largeBody(): { entries: { controlId: string; justification: string; applicable: boolean }[] } {
  return {
    entries: Array.from({ length: 400 }, (_, i) => ({
      controlId: `ORG-${i}`,
      justification: `Justification ${i} ${'é€x'.repeat(160)}`,
      applicable: i % 2 === 0,
    })),
  };
}

// ---- tests ---------------------------------------------------------------------------------

describe.each(targets)('database layer on $name', (target) => {
  let url: string;
  let dataSource: DataSource;
  let repo: ProgrammeRepository;
  let activities: PersistenceActivities;

  /** Every row of every table, in primary-key order, as the database returns it. */
  async function snapshot(): Promise<Record<string, unknown[]>> {
    const result: Record<string, unknown[]> = {};
    for (const table of TABLES) {
      const metadata = dataSource.entityMetadatas.find((m) => m.tableName === table);
      const order = (metadata?.primaryColumns ?? [])
        .map((c) => dataSource.driver.escape(c.databaseName))
        .join(', ');
      result[table] = await dataSource.query<unknown[]>(
        `SELECT * FROM ${dataSource.driver.escape(table)} ORDER BY ${order}`,
      );
    }
    return result;
  }

  async function expectIdempotent(call: () => Promise<unknown>): Promise<void> {
    const before = await snapshot();
    await call();
    const once = await snapshot();
    expect(once).not.toEqual(before);
    await call();
    expect(await snapshot()).toEqual(once);
  }

  /**
   * TypeORM reads MariaDB's catalogue correctly only under its 'mariadb' type (it reports
   * nullable columns as having a default of 'NULL' otherwise), so the comparison uses that type
   * there, while the service itself keeps the plain 'mysql' driver.
   */
  async function schemaInspector(): Promise<DataSource> {
    if (dataSource.options.type !== 'mysql') return dataSource;
    const [{ version }] = await dataSource.query<{ version: string }[]>('SELECT VERSION() AS version');
    if (!/mariadb/i.test(version)) return dataSource;
    const inspector = new DataSource({
      ...dataSource.options,
      type: 'mariadb',
      entities: buildEntities('mysql'),
    });
    return inspector.initialize();
  }

  beforeAll(async () => {
    url = await target.freshDatabase('main');
    dataSource = await openDatabase(url);
    repo = new ProgrammeRepository(dataSource);
    activities = createPersistenceActivities(repo);
  });

  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await target.cleanup();
  });

  it('migrates an empty database, and reopening it applies nothing', async () => {
    expect(await dataSource.showMigrations()).toBe(false);
    const runner = dataSource.createQueryRunner();
    try {
      for (const table of TABLES) expect(await runner.hasTable(table)).toBe(true);
    } finally {
      await runner.release();
    }
    const executed = () => dataSource.query<{ name: string }[]>('SELECT name FROM schema_migrations');
    expect((await executed()).map((m) => m.name)).toEqual(MIGRATIONS.map((M) => new M().name));

    const again = await openDatabase(url);
    try {
      expect(await again.runMigrations()).toEqual([]);
    } finally {
      await again.destroy();
    }
    expect(await executed()).toHaveLength(MIGRATIONS.length);
  });

  it('lists migrations in the order TypeORM will run them', () => {
    const stamps = MIGRATIONS.map((M) => Number((new M().name ?? '').slice(-13)));
    expect(stamps.every((s) => Number.isInteger(s) && s > 0)).toBe(true);
    expect([...stamps].sort((a, b) => a - b)).toEqual(stamps);
  });

  it('maps entities exactly onto the migrated schema', async () => {
    const inspector = await schemaInspector();
    try {
      const pending = await inspector.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    } finally {
      if (inspector !== dataSource) await inspector.destroy();
    }
  });

  it('reverts the initial migration and applies it again', async () => {
    const scratch = await openDatabase(await target.freshDatabase('down'));
    try {
      const runner = scratch.createQueryRunner();
      try {
        // Every later migration is reverted first, down to (and including) the initial one.
        for (let i = 0; i < MIGRATIONS.length; i++) await scratch.undoLastMigration();
        for (const table of TABLES) expect(await runner.hasTable(table)).toBe(false);
        await scratch.runMigrations();
        for (const table of TABLES) expect(await runner.hasTable(table)).toBe(true);
      } finally {
        await runner.release();
      }
    } finally {
      await scratch.destroy();
    }
  });

  it('inserts a programme and rejects a second one with the same id', async () => {
    await repo.insertProgramme({ ...programme('p-insert'), createdAt: '2026-01-01T00:00:00.000Z' });
    await expect(
      repo.insertProgramme({ ...programme('p-insert', 'Other Org'), createdAt: '2026-01-02T00:00:00.000Z' }),
    ).rejects.toBeInstanceOf(DuplicateError);
    expect(await repo.getProgramme('p-insert')).toEqual({
      ...programme('p-insert'),
      status: 'ACTIVE',
      cycle: 1,
      step: null,
      stage: null,
      certificateStatus: null,
      certificateExpiresOn: null,
      overdue: false,
      nextDueAt: null,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    });
    await repo.deleteProgramme('p-insert');
    expect(await repo.getProgramme('p-insert')).toBeNull();
  });

  it('recordProgramme keeps the row the API inserted and leaves its status alone', async () => {
    await repo.insertProgramme({ ...programme('p-api'), createdAt: '2026-01-01T00:00:00.000Z' });
    await activities.recordTransition(transition('p-api', 1), status('p-api', 'SCOPING'));
    await activities.recordProgramme({ ...programme('p-api'), name: 'Renamed' });
    expect(await repo.getProgramme('p-api')).toMatchObject({
      name: 'Renamed',
      stage: 'SCOPING',
      createdAt: '2026-01-01T00:00:00.000Z',
    });
  });

  it('writes the same rows when any activity is called twice with the same input', async () => {
    await expectIdempotent(() => activities.recordProgramme(programme('p-idem')));
    await expectIdempotent(() =>
      activities.recordTransition(transition('p-idem', 1), status('p-idem', 'GAP_ANALYSIS', { certificate })),
    );
    await expectIdempotent(() => activities.saveRecords('p-idem', 1, everyRecord()));

    expect(await repo.listTransitions('p-idem')).toEqual([transition('p-idem', 1)]);
    expect(await repo.listTasks('p-idem')).toEqual([task]);
    expect(await repo.listAudits('p-idem')).toEqual([audit]);
    expect(await repo.listFindings('p-idem')).toEqual([finding]);
    expect(await repo.listDecisions('p-idem')).toEqual([approval]);
    expect(await repo.listCertificates('p-idem')).toEqual([certificate]);
    expect(await repo.listAssessments('p-idem', 1)).toEqual(
      everyRecord().assessments?.map((a) => ({ ...a, cycle: 1 })),
    );
    expect(await repo.listAssessments('p-idem', 2)).toEqual([]);
    expect(await repo.getProgramme('p-idem')).toMatchObject({
      stage: 'GAP_ANALYSIS',
      certificateStatus: 'ACTIVE',
      certificateExpiresOn: certificate.expiresOn,
      updatedAt: transition('p-idem', 1).at,
    });
  });

  it('refuses a transition for a programme that was never recorded', async () => {
    await expect(
      activities.recordTransition(transition('p-ghost', 1), status('p-ghost', 'SCOPING')),
    ).rejects.toBeInstanceOf(ProgrammeNotFoundError);
    expect(await repo.listTransitions('p-ghost')).toEqual([]);
  });

  it('updates a finding and a task in place, clearing fields the record no longer has', async () => {
    await activities.recordProgramme(programme('p-update'));
    await activities.saveRecords('p-update', 1, { findings: [finding], tasks: [{ ...task, note: 'draft' }] });
    const correctiveAction = {
      correction: 'Re-run the assessment',
      rootCause: 'No trigger on model change',
      action: 'Add a release gate',
      owner: 'lead@acme.test',
      due: '2026-06-01T00:00:00.000Z',
      recordedAt: '2026-05-10T00:00:00.000Z',
    };
    await activities.saveRecords('p-update', 1, {
      findings: [{ ...finding, status: 'action_planned', correctiveAction }],
      tasks: [{ ...task, status: 'done', closedAt: '2026-05-11T00:00:00.000Z' }],
    });
    expect(await repo.listFindings('p-update')).toEqual([
      { ...finding, status: 'action_planned', correctiveAction },
    ]);
    expect(await repo.listTasks('p-update')).toEqual([
      { ...task, status: 'done', closedAt: '2026-05-11T00:00:00.000Z' },
    ]);
  });

  it('stores every timestamp in UTC so that text order is time order', async () => {
    await activities.recordProgramme(programme('p-utc'));
    await activities.saveRecords('p-utc', 1, {
      tasks: [
        { ...task, id: 'T-zulu', deadline: '2026-04-01T08:30:00Z' },
        { ...task, id: 'T-offset', deadline: '2026-04-01T09:00:00+02:00' },
        { ...task, id: 'T-date', deadline: '2026-04-02' },
      ],
    });
    const tasks = await repo.listTasks('p-utc');
    expect(tasks.map((t) => [t.id, t.deadline])).toEqual([
      ['T-offset', '2026-04-01T07:00:00.000Z'],
      ['T-zulu', '2026-04-01T08:30:00.000Z'],
      ['T-date', '2026-04-02'],
    ]);
  });

  it('filters programmes by stage, organisation and status, newest first, with the total', async () => {
    const org = 'Listing Org';
    for (const [i, [id, stage]] of [
      ['l-1', 'SCOPING'],
      ['l-2', 'GAP_ANALYSIS'],
      ['l-3', 'SCOPING'],
      ['l-4', 'SCOPING'],
    ].entries()) {
      await repo.insertProgramme({ ...programme(id, org), createdAt: `2026-03-0${i + 1}T00:00:00.000Z` });
      await repo.recordTransition(transition(id, 1), status(id, stage));
    }
    await repo.insertProgramme({
      ...programme('l-other', 'Elsewhere'),
      createdAt: '2026-03-09T00:00:00.000Z',
    });
    await repo.recordTransition(transition('l-other', 1), status('l-other', 'SCOPING'));
    await repo.recordTransition(
      transition('l-4', 2, 'WITHDRAWN'),
      status('l-4', 'WITHDRAWN', { status: 'WITHDRAWN', step: null }),
    );

    const ids = (page: { items: { programmeId: string }[] }) => page.items.map((p) => p.programmeId);
    const scoping = await repo.listProgrammes({ organisation: org, stage: 'SCOPING', limit: 10, offset: 0 });
    expect(ids(scoping)).toEqual(['l-3', 'l-1']);
    expect(scoping.total).toBe(2);

    const firstPage = await repo.listProgrammes({ organisation: org, limit: 2, offset: 0 });
    expect(ids(firstPage)).toEqual(['l-4', 'l-3']);
    expect(firstPage.total).toBe(4);
    expect(ids(await repo.listProgrammes({ organisation: org, limit: 2, offset: 2 }))).toEqual([
      'l-2',
      'l-1',
    ]);

    expect(await repo.listProgrammes({ organisation: org, limit: 0, offset: 0 })).toEqual({
      items: [],
      total: 4,
    });

    const withdrawn = await repo.listProgrammes({
      organisation: org,
      status: 'WITHDRAWN',
      limit: 10,
      offset: 0,
    });
    expect(ids(withdrawn)).toEqual(['l-4']);
    expect(
      (await repo.listProgrammes({ stage: 'SCOPING', limit: 10, offset: 0 })).total,
    ).toBeGreaterThanOrEqual(3);
  });

  it('round-trips a 200 KB artefact body and serves the latest version by default', async () => {
    await activities.recordProgramme(programme('p-large'));
    const body = largeBody();
    expect(Buffer.byteLength(canonicalJson(body))).toBeGreaterThan(200_000);
    await activities.saveRecords('p-large', 1, {
      artefacts: [
        { kind: 'soa', key: '', version: 1, submittedAt: '2026-02-01T00:00:00.000Z', body: { entries: [] } },
        { kind: 'soa', key: '', version: 2, submittedAt: '2026-02-02T00:00:00.000Z', body },
      ],
    });
    const latest = await repo.getArtefact('p-large', 'soa', '');
    expect(latest).toEqual({
      kind: 'soa',
      key: '',
      version: 2,
      submittedAt: '2026-02-02T00:00:00.000Z',
      sha256: sha256Hex(canonicalJson(body)),
      body,
    });
    expect((await repo.getArtefact('p-large', 'soa', '', 1))?.body).toEqual({ entries: [] });
    expect(await repo.getArtefact('p-large', 'soa', '', 3)).toBeNull();
    expect((await repo.listArtefacts('p-large', 'soa')).map((a) => a.version)).toEqual([2, 1]);
    expect(await repo.listArtefacts('p-large', 'scope')).toEqual([]);
  });

  it('records the same sha256 for the same body whatever its key order', async () => {
    await activities.recordProgramme(programme('p-sha'));
    const body = { title: 'AI policy', owner: { name: 'Lee', email: 'lead@acme.test' }, tags: ['b', 'a'] };
    const reordered = {
      tags: ['b', 'a'],
      owner: { email: 'lead@acme.test', name: 'Lee' },
      title: 'AI policy',
    };
    await activities.saveRecords('p-sha', 1, {
      artefacts: [
        { kind: 'policy', key: 'ai-policy', version: 1, submittedAt: '2026-02-01T00:00:00.000Z', body },
        {
          kind: 'policy',
          key: 'ai-policy',
          version: 2,
          submittedAt: '2026-02-02T00:00:00.000Z',
          body: reordered,
        },
        {
          kind: 'policy',
          key: 'ai-policy',
          version: 3,
          submittedAt: '2026-02-03T00:00:00.000Z',
          body: { ...body, tags: ['a', 'b'] },
        },
      ],
    });
    const [v3, v2, v1] = await repo.listArtefacts('p-sha', 'policy');
    expect(v1.sha256).toBe(v2.sha256);
    expect(v1.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(v3.sha256).not.toBe(v1.sha256);
    // The stored text is the canonical JSON itself, so anyone can recompute the digest from it.
    const rows = await dataSource.query<{ body: string }[]>(
      'SELECT body FROM artefacts WHERE programme_id = ? AND version = ?',
      ['p-sha', 2],
    );
    expect(sha256Hex(rows[0].body)).toBe(v2.sha256);
  });

  it('keeps concurrent calls apart: a failed call stores nothing, the others everything', async () => {
    await activities.recordProgramme(programme('p-concurrent'));
    // A second repository over the same DataSource, as when the API and worker share a process.
    const other = createPersistenceActivities(new ProgrammeRepository(dataSource));
    const broken = { ...task, id: 'T-broken', title: null as unknown as string };
    const results = await Promise.allSettled([
      ...Array.from({ length: 8 }, (_, i) =>
        other.saveRecords('p-concurrent', 1, { tasks: [{ ...task, id: `T-ok-${i}` }] }),
      ),
      activities.saveRecords('p-concurrent', 1, { audits: [{ ...audit, id: 'AU-doomed' }], tasks: [broken] }),
      ...Array.from({ length: 8 }, (_, i) =>
        activities.saveRecords('p-concurrent', 1, { findings: [{ ...finding, id: `F-ok-${i}` }] }),
      ),
    ]);
    expect(results.map((r) => r.status).filter((s) => s === 'rejected')).toHaveLength(1);
    expect(results[8].status).toBe('rejected');
    expect(await repo.listTasks('p-concurrent')).toHaveLength(8);
    expect(await repo.listFindings('p-concurrent')).toHaveLength(8);
    expect(await repo.listAudits('p-concurrent')).toEqual([]);
  });

  it('answers a ping', async () => {
    await expect(repo.ping()).resolves.toBeUndefined();
  });

  it('describes the database without its password', () => {
    expect(describeDatabase(url).kind).toBe(target.name);
    expect(describeDatabase('mysql://app:s3cret@db.internal:3307/aims').label).toBe(
      'mysql://app:***@db.internal:3307/aims',
    );
    expect(describeDatabase('mariadb://app@db/aims')).toEqual({
      kind: 'mysql',
      label: 'mysql://app@db:3306/aims',
    });
    expect(describeDatabase('sqlite::memory:')).toEqual({ kind: 'sqlite', label: 'sqlite::memory:' });
  });

  if (target.name === 'mysql') {
    it('lets two processes migrate the same empty database at once', async () => {
      const raceUrl = await target.freshDatabase('race');
      const opened = await Promise.all([openDatabase(raceUrl), openDatabase(raceUrl)]);
      try {
        expect(await opened[0].query('SELECT name FROM schema_migrations')).toHaveLength(MIGRATIONS.length);
      } finally {
        await Promise.all(opened.map((ds) => ds.destroy()));
      }
    });
  }

  if (target.name === 'sqlite') {
    it('lets several processes migrate the same new file at once', async () => {
      const raceUrl = await target.freshDatabase('race');
      const exits = await openInProcessesAtOnce(raceUrl, 4);
      expect(exits).toEqual(exits.map(() => ({ code: 0, stderr: '' })));
      const opened = await openDatabase(raceUrl);
      try {
        expect(await opened.query('SELECT name FROM schema_migrations')).toHaveLength(MIGRATIONS.length);
      } finally {
        await opened.destroy();
      }
    });

    it('creates the folder of the database file and works in memory', async () => {
      const memory = await openDatabase('sqlite::memory:');
      try {
        await new ProgrammeRepository(memory).insertProgramme({
          ...programme('p-mem'),
          createdAt: '2026-01-01T00:00:00.000Z',
        });
        expect(await new ProgrammeRepository(memory).getProgramme('p-mem')).not.toBeNull();
      } finally {
        await memory.destroy();
      }
      const file = parseDatabaseUrl(url);
      expect(file.kind === 'sqlite' && fs.existsSync(file.file)).toBe(true);
      expect(createDataSource(url).options).toMatchObject({ synchronize: false, migrationsRun: false });
    });
  }
});
