/** Record shapes shared by workflows, activities and the database layer. */
export type {
  ApprovalState,
  AuditRecord,
  Certificate,
  Finding,
  RoadmapTask,
  TransitionRecord,
} from '../types';
import type { AssessmentItem } from '../schemas';

export type AssessmentItemRecord = AssessmentItem & { assessedAt: string };
