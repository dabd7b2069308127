/** Activity implementations and the contract the workflows compile against. */
export { createPersistenceActivities } from './persistence';
export type {
  ArtefactRecord,
  DomainRecords,
  PersistenceActivities,
  ProgrammeRecord,
  ProgrammeStatusRecord,
} from '../domain/contracts/persistence';
export type {
  ApprovalState,
  AssessmentItemRecord,
  AuditRecord,
  Certificate,
  Finding,
  RoadmapTask,
  TransitionRecord,
} from '../domain/contracts/records';
