/**
 * What a workflow test needs besides a Temporal server: the real persistence activities over
 * an in-memory SQLite database (stages load their facts from it and write their records to it),
 * recorded so a test can see what each was asked to do, and a way to send a stage an input as
 * the API does: the body stored first, the Update carrying the input's facts and a reference.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { DataSource } from 'typeorm';
import { inputResult, type InputResult } from '../../api/handlers';
import { createPersistenceActivities } from '../../activities/persistence';
import { BodyStore } from '../../db/body-store';
import { openDatabase } from '../../db/data-source';
import { InventoryRepository } from '../../db/inventory-repository';
import { ProgrammeRepository } from '../../db/repository';
import type {
  PersistenceActivities,
  ProgrammeStatusRecord,
  RecordChanges,
  SaveRecords,
  TransitionRecord,
} from '../../domain/contracts/persistence';
import type { ReportActivities } from '../../domain/contracts/analysis';
import type { FindingFact, TaskFact } from '../../domain/facts';
import { inputDefinition, type Submission } from '../../domain/inputs';
import { submitInputUpdate } from '../../domain/messages';
import { StageInput } from '../../domain/schemas';
import { RESTING } from '../../workflows/stage';

export interface WorkflowStore {
  dataSource: DataSource;
  repository: ProgrammeRepository;
  /** Every save a stage asked for, in order. */
  saves: SaveRecords[];
  transitions: TransitionRecord[];
  statuses: ProgrammeStatusRecord[];
  /** How often a programme recorded itself (once per programme; not again on continue-as-new). */
  programmes: number;
  /** The real persistence activities over this database, recording what they are asked. */
  activities(): PersistenceActivities;
  /** Every change saved, in order (facts, and where their bodies are). */
  changes(): RecordChanges[];
  /** The latest facts saved for a finding or a task. */
  finding(id: string): FindingFact | undefined;
  task(id: string): TaskFact | undefined;
  /** Sends an input to a stage as the API does; answers as the API answers. */
  submit(stage: WorkflowHandle, programmeId: string, input: StageInput): Promise<InputResult>;
  close(): Promise<void>;
}

/** Report generation is tested elsewhere; approval requests start it, so it has somewhere to run. */
export const idleReportActivities: ReportActivities = {
  generateReport: (input) =>
    Promise.resolve({
      programmeId: input.programmeId,
      kind: input.kind,
      key: input.key,
      version: 1,
      sha256: '',
      sourceSha256: '',
      generatedAt: new Date().toISOString(),
      created: false,
      files: [],
    }),
};

/**
 * Sends an Update again while the stage turns it away because it is starting or about to
 * continue as new (the gateway does the same for the API).
 */
export async function sendAgainWhileResting<T>(send: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
      const detail: unknown = cause instanceof ApplicationFailure ? cause.details?.[0] : undefined;
      const resting =
        typeof detail === 'object' && detail !== null && (detail as { code?: unknown }).code === RESTING;
      if (!resting || attempt >= 200) throw err;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

export async function openWorkflowStore(): Promise<WorkflowStore> {
  const dataSource = await openDatabase('sqlite::memory:');
  const repository = new ProgrammeRepository(dataSource);
  const real = createPersistenceActivities({
    repository,
    bodies: new BodyStore(dataSource),
    inventory: new InventoryRepository(dataSource),
  });
  const store: WorkflowStore = {
    dataSource,
    repository,
    saves: [],
    transitions: [],
    statuses: [],
    programmes: 0,
    activities: () => ({
      ...real,
      recordProgramme: async (programme) => {
        store.programmes++;
        await real.recordProgramme(programme);
      },
      recordTransition: async (t, s) => {
        store.transitions.push(t);
        store.statuses.push(s);
        return real.recordTransition(t, s);
      },
      saveRecords: async (save) => {
        store.saves.push(save);
        await real.saveRecords(save);
      },
    }),
    changes: () => store.saves.map((s) => s.changes),
    finding: (id) =>
      store
        .changes()
        .flatMap((c) => c.findings ?? [])
        .map((x) => x.fact)
        .filter((x) => x.id === id)
        .at(-1),
    task: (id) =>
      store
        .changes()
        .flatMap((c) => c.tasks ?? [])
        .map((x) => x.fact)
        .filter((x) => x.id === id)
        .at(-1),
    async submit(stage, programmeId, raw) {
      // As the API does: the schema fills defaults. An input it refuses goes as it is, so that
      // tests of the stage's own refusals still reach the stage.
      const parsed = StageInput.safeParse(raw);
      const input = parsed.success ? parsed.data : raw;
      const { kind, ...body } = input;
      const ref = await repository.stageBody(programmeId, kind, body);
      const submission = { kind, ref, facts: inputDefinition(kind).facts(input) } as Submission;
      return inputResult(
        await sendAgainWhileResting(() => stage.executeUpdate(submitInputUpdate, { args: [submission] })),
      );
    },
    close: () => dataSource.destroy(),
  };
  return store;
}
