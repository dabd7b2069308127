/** Activity implementations and the contract the workflows compile against. */
export { createPersistenceActivities } from './persistence';
export type {
  ArtefactRecord,
  DomainRecords,
  PersistenceActivities,
  ProgrammeRecord,
  ProgrammeStatusRecord,
} from './contract';
export type {
  ApprovalState,
  AssessmentItemRecord,
  AuditRecord,
  Certificate,
  Finding,
  RoadmapTask,
  TransitionRecord,
} from './records';
