/** Message definitions shared by the workflows and the client gateway. */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DecisionBody, StageInput } from '../domain/schemas';
import type {
  ApprovalDecisionResult,
  Certificate,
  InputResult,
  ProgrammeView,
  StageView,
} from '../domain/types';

/** Rejections from validators carry this type; the API answers them with 409. */
export const INPUT_REJECTED = 'InputRejected';

export const submitInputUpdate = defineUpdate<InputResult, [StageInput]>('submitInput');
export const recordDecisionUpdate = defineUpdate<ApprovalDecisionResult, [DecisionBody]>('recordDecision');
export const stageViewQuery = defineQuery<StageView>('stageView');

export const programmeViewQuery = defineQuery<ProgrammeView>('programmeView');
/** A signal, not an update: withdrawal must be accepted even when no worker is running. */
export const withdrawSignal = defineSignal<[{ reason: string }]>('withdraw');

export interface StageProgress {
  stepKey: string;
  nextDueAt?: string;
  overdue: boolean;
  certificate?: Certificate;
}
/** Sent by a stage to its programme so that search attributes follow deadlines and lapses. */
export const stageProgressSignal = defineSignal<[StageProgress]>('stageProgress');
