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
  ApprovalRecord,
  ArtefactWrite,
  BodyRef,
  FactsPage,
  PersistenceActivities,
  ProgrammeScalars,
  ProgrammeStatusRecord,
  RecordChanges,
  SaveRecords,
  TransitionRecord,
} from '../../domain/contracts/persistence';
import {
  assembleFacts,
  newFacts,
  scalarsOf,
  type ApprovalState,
  type AuditFact,
  type FindingFact,
  type TaskFact,
} from '../../domain/facts';
import { fingerprint, sha256Hex } from '../../domain/fingerprint';
import type { AssessmentRecord, AuditRecord, Finding, RoadmapTask } from '../../domain/records';
import { ProgrammeConfig } from '../../domain/schemas';
import type { Certificate } from '../../domain/views';
import { canonicalJson } from '../../db/canonical-json';
import { BodyMissingError, BodyStore, buildBodyEntity } from '../../db/body-store';
import { createDataSource, describeDatabase, openDatabase } from '../../db/data-source';
import { parseDatabaseUrl } from '../../db/database-url';
import { buildEntities } from '../../db/entities';
import { DuplicateError, ProgrammeNotFoundError } from '../../db/errors';
import { buildFactsEntity } from '../../db/facts-store';
import { InventoryRepository } from '../../db/inventory-repository';
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
  'programme_facts',
  'input_bodies',
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
  auditors: [{ name: 'Ines Auditor', email: 'ines.auditor@auditors.test' }],
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

const approval: ApprovalRecord = {
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

/** The decision as the facts keep it for its gate. */
const { decisionId: _decisionId, stepKey: _stepKey, ...approvalState } = approval;
const gate: { key: string; state: ApprovalState } = {
  key: `${approval.stepKey}/${approval.gate}`,
  state: approvalState,
};

const assessments: Omit<AssessmentRecord, 'cycle'>[] = [
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
];

const person = (name: string) => ({ name, email: `${name.toLowerCase()}@acme.test` });

/** A scope as submitted: its statement and AI systems in scope go into the certificate. */
const scopeBody = {
  statement: 'All of it',
  aiSystems: [
    { id: 'chatbot', name: 'Support chatbot', type: 'feature', inScope: true },
    { id: 'legacy-scoring', name: 'Legacy scoring', type: 'model', inScope: false },
  ],
  aiRoles: ['provider'],
  boundaries: 'EU operations',
  locations: ['Dublin'],
  sponsor: person('Sam'),
  complianceLead: person('Cleo'),
  topManagement: person('Tom'),
};

/** The scope the certificate's record gets from version 1 of scopeBody. */
const certifiedScope = { statement: 'All of it', aiSystemIds: ['chatbot'] };

/** The save of one accepted input's changes (cycle 1). */
const save = (programmeId: string, changes: RecordChanges, scalars?: ProgrammeScalars): SaveRecords => ({
  programmeId,
  cycle: 1,
  changes,
  ...(scalars && { scalars }),
});

/** The programme-wide facts a new programme starts from. */
const initialScalars = (programmeId: string, organisation = 'Acme Ltd'): ProgrammeScalars =>
  scalarsOf(newFacts(programmeId, organisation, CONFIG));

const taskFact = (t: RoadmapTask, sha256: string): TaskFact => ({
  id: t.id,
  requirementId: t.requirementId,
  owner: t.owner,
  deadline: t.deadline,
  status: t.status,
  sha256,
  ...(t.closedAt && { closedAt: t.closedAt }),
});

const auditFact = (a: AuditRecord): AuditFact => ({
  id: a.id,
  audit: a.audit,
  stepKey: a.stepKey,
  attempt: a.attempt,
  firstDay: a.firstDay,
  lastDay: a.lastDay,
});

const findingFact = (f: Finding): FindingFact => ({
  id: f.id,
  audit: f.audit,
  auditId: f.auditId,
  stepKey: f.stepKey,
  grade: f.grade,
  requirementId: f.requirementId,
  status: f.status,
  raisedAt: f.raisedAt,
});

type TaskChange = NonNullable<RecordChanges['tasks']>[number];
type FindingChange = NonNullable<RecordChanges['findings']>[number];

/**
 * The changes the stages make, with their bodies stored first as the API stores them (the
 * input without its kind): the repository joins the facts with these bodies into the rows.
 */
function inputs(repo: ProgrammeRepository, programmeId: string) {
  const stage = (kind: string, body: object): Promise<BodyRef> => repo.stageBody(programmeId, kind, body);
  return {
    stage,

    /** A roadmap task as created: its title comes from the stored body. */
    async taskCreated(t: RoadmapTask): Promise<TaskChange & { created: BodyRef }> {
      const body = { requirementId: t.requirementId, title: t.title, owner: t.owner, deadline: t.deadline };
      const ref = await stage('roadmapTask', body);
      return { fact: taskFact(t, ref.sha256), created: ref };
    },

    /** An audit held, with the findings it raised: their descriptions come from the audit's body. */
    async auditHeld(
      a: AuditRecord,
      findings: Finding[],
    ): Promise<{ audits: NonNullable<RecordChanges['audits']>; findings: FindingChange[] }> {
      const ref = await stage('audit', {
        audit: a.audit,
        auditors: a.auditors,
        independent: a.independent,
        findings: findings.map((f) => ({
          grade: f.grade,
          requirementId: f.requirementId,
          description: f.description,
        })),
      });
      return {
        audits: [{ fact: auditFact(a), body: ref }],
        findings: findings.map((f, i) => ({
          fact: findingFact(f),
          text: { description: { ...ref, path: ['findings', i, 'description'] } },
        })),
      };
    },

    /** Assessments: each row is an item of the stored body, with the status and time the facts give. */
    async assessed(
      items: Omit<AssessmentRecord, 'cycle'>[],
    ): Promise<NonNullable<RecordChanges['assessments']>> {
      const body = { items: items.map(({ assessedAt: _at, ...item }) => item) };
      const ref = await stage('assessments', body);
      return items.map((a, i) => ({
        requirementId: a.requirementId,
        fact: { status: a.status, sha256: fingerprint(body.items[i]), assessedAt: a.assessedAt },
        body: { ...ref, path: ['items', i] },
      }));
    },

    /** An artefact version: the stored body, and the digest the workflow took of it. */
    async artefact(a: {
      kind: string;
      key: string;
      version: number;
      submittedAt: string;
      body: object;
    }): Promise<ArtefactWrite> {
      const ref = await stage(a.kind, a.body);
      return {
        kind: a.kind,
        key: a.key,
        version: a.version,
        submittedAt: a.submittedAt,
        sha256: ref.sha256,
        body: ref,
      };
    },

    /** Every kind of record at once. */
    async everyRecord(): Promise<RecordChanges> {
      const held = await this.auditHeld(audit, [finding]);
      return {
        assessments: await this.assessed(assessments),
        tasks: [await this.taskCreated(task)],
        artefacts: [
          await this.artefact({
            kind: 'scope',
            key: '',
            version: 1,
            submittedAt: '2026-01-10T00:00:00.000Z',
            body: scopeBody,
          }),
        ],
        audits: held.audits,
        findings: held.findings,
        approvals: [approval],
        gates: [gate],
        certificate: { ...certificate, scopeVersion: 1 },
      };
    },
  };
}

/** Every page of a programme's facts, following the cursor. */
async function allPages(
  activities: PersistenceActivities,
  programmeId: string,
  stepKey?: string,
): Promise<FactsPage[]> {
  const pages: FactsPage[] = [];
  let cursor: string | undefined;
  do {
    const page = await activities.loadFacts({ programmeId, stepKey, cursor });
    pages.push(page);
    cursor = page.next;
  } while (cursor !== undefined);
  return pages;
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

  /** The activities over a repository, with the body store and inventory of the same database. */
  const activitiesOver = (repository: ProgrammeRepository): PersistenceActivities =>
    createPersistenceActivities({
      repository,
      bodies: new BodyStore(dataSource),
      inventory: new InventoryRepository(dataSource),
    });

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
      entities: [...buildEntities('mysql'), buildFactsEntity('mysql'), buildBodyEntity('mysql')],
    });
    return inspector.initialize();
  }

  beforeAll(async () => {
    url = await target.freshDatabase('main');
    dataSource = await openDatabase(url);
    repo = new ProgrammeRepository(dataSource);
    activities = activitiesOver(repo);
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
    const { number, status: certificateStatus, expiresOn } = certificate;
    await expectIdempotent(() =>
      activities.recordTransition(
        transition('p-idem', 1),
        status('p-idem', 'GAP_ANALYSIS', { certificate: { number, status: certificateStatus, expiresOn } }),
      ),
    );
    // The bodies are stored before the input reaches the stage; the activity joins them in.
    const changes = await inputs(repo, 'p-idem').everyRecord();
    const scalars = { ...initialScalars('p-idem'), seq: { task: 1, finding: 1, audit: 1, policy: 0 } };
    await expectIdempotent(() => activities.saveRecords(save('p-idem', changes, scalars)));

    expect(await repo.listTransitions('p-idem')).toEqual([transition('p-idem', 1)]);
    expect(await repo.listTasks('p-idem')).toEqual([task]);
    expect(await repo.listAudits('p-idem')).toEqual([audit]);
    expect(await repo.listFindings('p-idem')).toEqual([finding]);
    expect(await repo.listDecisions('p-idem')).toEqual([approval]);
    expect(await repo.listCertificates('p-idem')).toEqual([{ ...certificate, scope: certifiedScope }]);
    expect(await repo.listAssessments('p-idem', 1)).toEqual(assessments.map((a) => ({ ...a, cycle: 1 })));
    expect(await repo.listAssessments('p-idem', 2)).toEqual([]);
    expect(await repo.getArtefact('p-idem', 'scope', '')).toEqual({
      kind: 'scope',
      key: '',
      version: 1,
      submittedAt: '2026-01-10T00:00:00.000Z',
      sha256: fingerprint(scopeBody),
      body: scopeBody,
    });
    // Optional fields the records do not have are NULL columns, not empty values.
    const [taskRow] = await dataSource.query<Record<string, unknown>[]>(
      'SELECT note, accepted_by, closed_at FROM roadmap_tasks WHERE programme_id = ?',
      ['p-idem'],
    );
    expect(taskRow).toEqual({ note: null, accepted_by: null, closed_at: null });
    const [auditRow] = await dataSource.query<Record<string, unknown>[]>(
      'SELECT plan_id, scope, independence FROM audits WHERE programme_id = ?',
      ['p-idem'],
    );
    expect(auditRow).toEqual({ plan_id: null, scope: null, independence: null });
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
    const input = inputs(repo, 'p-update');
    const created = await input.taskCreated(task);
    const { findings } = await input.auditHeld(audit, [finding]);
    // The task's record has a note, from the update body that came with it.
    const draft = await input.stage('taskUpdate', { taskId: task.id, update: { note: 'draft' } });
    await activities.saveRecords(
      save('p-update', { findings, tasks: [{ ...created, closed: { ...draft, path: ['update'] } }] }),
    );
    expect(await repo.listTasks('p-update')).toEqual([{ ...task, note: 'draft' }]);
    const correctiveAction = {
      correction: 'Re-run the assessment',
      rootCause: 'No trigger on model change',
      action: 'Add a release gate',
      owner: 'lead@acme.test',
      due: '2026-06-01T00:00:00.000Z',
      recordedAt: '2026-05-10T00:00:00.000Z',
    };
    const { recordedAt, ...action } = correctiveAction;
    const planned = await input.stage('correctiveAction', { findingId: finding.id, action });
    const done = await input.stage('taskUpdate', { taskId: task.id, update: { status: 'done' } });
    await activities.saveRecords(
      save('p-update', {
        findings: [
          {
            fact: {
              ...findingFact(finding),
              status: 'action_planned',
              correctiveAction: { owner: action.owner, due: action.due, recordedAt },
            },
            text: { correctiveAction: { ...planned, path: ['action'] } },
          },
        ],
        tasks: [
          {
            fact: { ...created.fact, status: 'done', closedAt: '2026-05-11T00:00:00.000Z' },
            closed: { ...done, path: ['update'] },
          },
        ],
      }),
    );
    expect(await repo.listFindings('p-update')).toEqual([
      { ...finding, status: 'action_planned', correctiveAction },
    ]);
    expect(await repo.listTasks('p-update')).toEqual([
      { ...task, status: 'done', closedAt: '2026-05-11T00:00:00.000Z' },
    ]);
  });

  it('writes a verification made at an audit without the finding id its entry in the audit names', async () => {
    await activities.recordProgramme(programme('p-verified'));
    const input = inputs(repo, 'p-verified');
    const { findings } = await input.auditHeld(audit, [finding]);
    await activities.saveRecords(save('p-verified', { findings }));
    const entry = { findingId: finding.id, verifiedBy: 'Ada External', effective: true };
    const surveillance = await input.stage('audit', {
      audit: 'surveillance',
      auditors: ['Ada External'],
      independent: true,
      findings: [],
      verifications: [entry],
    });
    const verifiedAt = '2027-05-02T12:00:00.000Z';
    await activities.saveRecords(
      save('p-verified', {
        findings: [
          {
            fact: {
              ...findingFact(finding),
              status: 'verified',
              verification: { verifiedAt, audit: 'surveillance', auditId: 'AU-2', effective: true },
            },
            text: { verification: { ...surveillance, path: ['verifications', 0] } },
          },
        ],
      }),
    );
    const [verified] = await repo.listFindings('p-verified');
    expect(verified.verification).toEqual({
      verifiedBy: 'Ada External',
      effective: true,
      verifiedAt,
      audit: 'surveillance',
      auditId: 'AU-2',
    });
    const [row] = await dataSource.query<{ verification: string | object }[]>(
      `SELECT verification FROM findings WHERE ${dataSource.driver.escape('programme_id')} = 'p-verified'`,
    );
    const stored: unknown =
      typeof row.verification === 'string' ? JSON.parse(row.verification) : row.verification;
    expect(stored).not.toHaveProperty('findingId');
  });

  it('stores every timestamp in UTC so that text order is time order', async () => {
    await activities.recordProgramme(programme('p-utc'));
    const input = inputs(repo, 'p-utc');
    await activities.saveRecords(
      save('p-utc', {
        tasks: [
          await input.taskCreated({ ...task, id: 'T-zulu', deadline: '2026-04-01T08:30:00Z' }),
          await input.taskCreated({ ...task, id: 'T-offset', deadline: '2026-04-01T09:00:00+02:00' }),
          await input.taskCreated({ ...task, id: 'T-date', deadline: '2026-04-02' }),
        ],
      }),
    );
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
    const input = inputs(repo, 'p-large');
    await activities.saveRecords(
      save('p-large', {
        artefacts: [
          await input.artefact({
            kind: 'soa',
            key: '',
            version: 1,
            submittedAt: '2026-02-01T00:00:00.000Z',
            body: { entries: [] },
          }),
          await input.artefact({
            kind: 'soa',
            key: '',
            version: 2,
            submittedAt: '2026-02-02T00:00:00.000Z',
            body,
          }),
        ],
      }),
    );
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
    const input = inputs(repo, 'p-sha');
    await activities.saveRecords(
      save('p-sha', {
        artefacts: [
          await input.artefact({
            kind: 'policy',
            key: 'ai-policy',
            version: 1,
            submittedAt: '2026-02-01T00:00:00.000Z',
            body,
          }),
          await input.artefact({
            kind: 'policy',
            key: 'ai-policy',
            version: 2,
            submittedAt: '2026-02-02T00:00:00.000Z',
            body: reordered,
          }),
          await input.artefact({
            kind: 'policy',
            key: 'ai-policy',
            version: 3,
            submittedAt: '2026-02-03T00:00:00.000Z',
            body: { ...body, tags: ['a', 'b'] },
          }),
        ],
      }),
    );
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
    const other = activitiesOver(new ProgrammeRepository(dataSource));
    const input = inputs(repo, 'p-concurrent');
    const okTasks: TaskChange[] = [];
    for (let i = 0; i < 8; i++) okTasks.push(await input.taskCreated({ ...task, id: `T-ok-${i}` }));
    const okFindings: FindingChange[] = [];
    for (let i = 0; i < 8; i++)
      okFindings.push(...(await input.auditHeld(audit, [{ ...finding, id: `F-ok-${i}` }])).findings);
    // The doomed call writes a task and an audit, then fails on a finding no row can hold.
    const doomedTask = await input.taskCreated({ ...task, id: 'T-doomed' });
    const doomedAudit = await input.auditHeld({ ...audit, id: 'AU-doomed' }, []);
    const broken: FindingChange = {
      fact: { ...findingFact(finding), id: 'F-broken', grade: null as unknown as FindingFact['grade'] },
    };
    const results = await Promise.allSettled([
      ...okTasks.map((t) => other.saveRecords(save('p-concurrent', { tasks: [t] }))),
      activities.saveRecords(
        save('p-concurrent', { tasks: [doomedTask], audits: doomedAudit.audits, findings: [broken] }),
      ),
      ...okFindings.map((f) => activities.saveRecords(save('p-concurrent', { findings: [f] }))),
    ]);
    expect(results.map((r) => r.status).filter((s) => s === 'rejected')).toHaveLength(1);
    expect(results[8].status).toBe('rejected');
    expect(await repo.listTasks('p-concurrent')).toHaveLength(8);
    expect(await repo.listFindings('p-concurrent')).toHaveLength(8);
    expect(await repo.listAudits('p-concurrent')).toEqual([]);
    // Nor are the failed call's facts stored: a stage loading them sees the others' only.
    const facts = (await allPages(activities, 'p-concurrent')).flatMap((p) => p.entries);
    expect(
      facts
        .filter((e) => e.kind === 'task')
        .map((e) => e.key)
        .sort(),
    ).toEqual(okTasks.map((t) => t.fact.id).sort());
    expect(facts.filter((e) => e.kind === 'audit')).toEqual([]);
    expect(facts.filter((e) => e.kind === 'finding')).toHaveLength(8);
  });

  it('loads back, a page at a time, the facts saveRecords wrote', async () => {
    await activities.recordProgramme(programme('p-facts'));
    // A new programme starts from its initial facts, and nothing else.
    expect(await activities.loadFacts({ programmeId: 'p-facts' })).toEqual({
      scalars: initialScalars('p-facts'),
      entries: [],
    });
    const input = inputs(repo, 'p-facts');
    // Enough tasks that their facts take several pages.
    const tasks: TaskChange[] = [];
    for (let i = 1; i <= 400; i++) tasks.push(await input.taskCreated({ ...task, id: `T-${i}` }));
    const held = await input.auditHeld(audit, [finding]);
    const scalars = { ...initialScalars('p-facts'), seq: { task: 400, finding: 1, audit: 1, policy: 0 } };
    await activities.saveRecords(
      save(
        'p-facts',
        {
          systems: [
            { id: 'chatbot', fact: { scope: { inScope: true } } },
            { id: 'legacy-scoring', fact: { scope: { inScope: false } } },
          ],
          assessments: await input.assessed(assessments),
          tasks,
          audits: held.audits,
          findings: held.findings,
          approvals: [approval],
          gates: [gate],
        },
        scalars,
      ),
    );
    // A later change: a system leaves the scope, the first task is done.
    await activities.saveRecords(
      save('p-facts', {
        systems: [{ id: 'legacy-scoring', fact: null }],
        tasks: [{ fact: { ...tasks[0].fact, status: 'done', closedAt: '2026-05-11T00:00:00.000Z' } }],
      }),
    );

    const pages = await allPages(activities, 'p-facts', approval.stepKey);
    expect(pages.length).toBeGreaterThan(1);
    expect(pages[0].scalars).toEqual(scalars);
    for (const page of pages.slice(1)) expect(page.scalars).toBeUndefined();
    for (const page of pages) expect(Buffer.byteLength(JSON.stringify(page))).toBeLessThan(64 * 1024);
    const entries = pages.flatMap((p) => p.entries);
    expect(new Set(entries.map((e) => `${e.kind}/${e.key}`)).size).toBe(entries.length);

    const facts = assembleFacts(scalars, entries);
    expect(facts.seq).toEqual(scalars.seq);
    expect(facts.systems).toEqual({ chatbot: { scope: { inScope: true } } });
    expect(facts.assessments).toEqual({
      '6.1.4': {
        status: 'not_compliant',
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
        assessedAt: '2026-01-25T00:00:00.000Z',
      },
      'A.10.4': {
        status: 'not_applicable',
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
        assessedAt: '2026-01-25T00:00:00.000Z',
      },
    });
    expect(Object.keys(facts.tasks)).toHaveLength(400);
    expect(facts.tasks['T-1']).toEqual({
      ...tasks[0].fact,
      status: 'done',
      closedAt: '2026-05-11T00:00:00.000Z',
    });
    expect(facts.tasks['T-400']).toEqual(tasks[399].fact);
    expect(facts.audits).toEqual([auditFact(audit)]);
    expect(facts.findings).toEqual({ 'F-1': findingFact(finding) });
    expect(facts.approvals).toEqual({ [gate.key]: approvalState });

    // Another step does not load the decisions of this one; the rest is the same.
    const elsewhere = assembleFacts(
      scalars,
      (await allPages(activities, 'p-facts', 'c1.GAP_ANALYSIS.1')).flatMap((p) => p.entries),
    );
    expect(elsewhere.approvals).toEqual({});
    expect(elsewhere.tasks).toEqual(facts.tasks);
    // A programme never recorded has no facts.
    expect(await activities.loadFacts({ programmeId: 'p-nowhere' })).toEqual({ entries: [] });
  });

  it('refuses a stored body that is gone or does not match its digest, and writes nothing', async () => {
    await activities.recordProgramme(programme('p-bodies'));
    const input = inputs(repo, 'p-bodies');
    // A body the API discarded (its input was rejected) cannot make a record.
    const created = await input.taskCreated(task);
    await repo.discardBody(created.created);
    await expect(activities.saveRecords(save('p-bodies', { tasks: [created] }))).rejects.toBeInstanceOf(
      BodyMissingError,
    );
    // A reference whose digest is not the stored body's.
    const soa = await input.artefact({
      kind: 'soa',
      key: '',
      version: 1,
      submittedAt: '2026-02-01T00:00:00.000Z',
      body: { entries: [] },
    });
    await expect(
      activities.saveRecords(
        save('p-bodies', { artefacts: [{ ...soa, body: { ...soa.body, sha256: '0'.repeat(64) } }] }),
      ),
    ).rejects.toBeInstanceOf(BodyMissingError);
    // An artefact whose stored body is not the one the workflow took the digest of.
    await expect(
      activities.saveRecords(save('p-bodies', { artefacts: [{ ...soa, sha256: '0'.repeat(64) }] })),
    ).rejects.toThrow(/does not match its digest/);
    expect(await repo.listTasks('p-bodies')).toEqual([]);
    expect(await repo.listArtefacts('p-bodies')).toEqual([]);
    expect(await activities.loadFacts({ programmeId: 'p-bodies' })).toEqual({
      scalars: initialScalars('p-bodies'),
      entries: [],
    });
    // The body itself is fine: with the right digests the same artefact is written.
    await activities.saveRecords(save('p-bodies', { artefacts: [soa] }));
    expect((await repo.getArtefact('p-bodies', 'soa', ''))?.sha256).toBe(soa.sha256);
  });

  it('writes a certificate with the scope version it certifies, and keeps that scope as it lapses', async () => {
    await activities.recordProgramme(programme('p-cert'));
    const input = inputs(repo, 'p-cert');
    const widened = {
      ...scopeBody,
      statement: 'All of it, and more',
      aiSystems: scopeBody.aiSystems.map((s) => ({ ...s, inScope: true })),
    };
    await activities.saveRecords(
      save('p-cert', {
        artefacts: [
          await input.artefact({
            kind: 'scope',
            key: '',
            version: 1,
            submittedAt: '2026-01-10T00:00:00.000Z',
            body: scopeBody,
          }),
          await input.artefact({
            kind: 'scope',
            key: '',
            version: 2,
            submittedAt: '2026-03-10T00:00:00.000Z',
            body: widened,
          }),
        ],
      }),
    );
    await activities.saveRecords(save('p-cert', { certificate: { ...certificate, scopeVersion: 1 } }));
    expect(await repo.listCertificates('p-cert')).toEqual([{ ...certificate, scope: certifiedScope }]);

    // Later changes carry the facts only: the scope certified stays the one of version 1.
    const lapsed = { ...certificate, status: 'LAPSED' as const, lapsedAt: '2027-06-01T00:00:00.000Z' };
    await activities.saveRecords(save('p-cert', { certificate: { ...lapsed, scopeVersion: 2 } }));
    expect(await repo.listCertificates('p-cert')).toEqual([{ ...lapsed, scope: certifiedScope }]);

    // Without a scope version the certificate has no scope: a NULL column.
    const next = { ...certificate, number: 'AIMS-0002', decisionDate: '2027-07-01T00:00:00.000Z', cycle: 2 };
    await activities.saveRecords(save('p-cert', { certificate: next }));
    expect((await repo.listCertificates('p-cert'))[1]).toEqual(next);
    const rows = await dataSource.query<{ scope: unknown }[]>(
      'SELECT scope FROM certificates WHERE programme_id = ? AND number = ?',
      ['p-cert', 'AIMS-0002'],
    );
    expect(rows).toEqual([{ scope: null }]);
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
