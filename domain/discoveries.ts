/**
 * What a stage does when a scan finds new AI systems in scope: it notes each system in the
 * dossier and, unless the system already has an impact assessment, opens a roadmap task to
 * assess it (clause 8.4), so the new system cannot slip past the implementation gates.
 * Pure; the stage workflow persists the returned records. A system already noted is ignored,
 * so a repeated signal changes nothing.
 */
import type { DomainRecords } from './contracts/persistence';
import type { DiscoveredSystem } from './inventory/types';
import { addDurationIso } from './durations';
import type { StepContext } from './gates';
import type { Dossier, RoadmapTask } from './types';

export const IMPACT_ASSESSMENT_REQUIREMENT = '8.4';
export const DEFAULT_IMPACT_ASSESSMENT_DUE = 'P30D';

export interface DiscoveryEvent {
  scanId: string;
  systems: DiscoveredSystem[];
}

const isEmail = (value: string | undefined): value is string =>
  !!value && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value);

export function applyDiscoveredSystems(
  d: Dossier,
  ctx: StepContext,
  event: DiscoveryEvent,
): { taskIds: string[]; records: DomainRecords } {
  const now = new Date(ctx.now).toISOString();
  const known = (d.discoveredSystems ??= {});
  const tasks: RoadmapTask[] = [];
  for (const system of [...event.systems].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    if (known[system.id]) continue;
    known[system.id] = { name: system.name, scanId: event.scanId, discoveredAt: now };
    if (d.impactAssessments[system.id]) continue;
    const id = `T-${++d.seq.task}`;
    const task: RoadmapTask = {
      id,
      requirementId: IMPACT_ASSESSMENT_REQUIREMENT,
      title: `Impact assessment of newly discovered AI system ${system.name} (${system.id})`,
      owner: isEmail(system.owner) ? system.owner : (d.scope?.body.complianceLead.email ?? 'unassigned'),
      deadline: addDurationIso(now, d.config.impactAssessmentDue ?? DEFAULT_IMPACT_ASSESSMENT_DUE),
      status: 'open',
    };
    d.tasks[id] = task;
    tasks.push(task);
  }
  // A new task changes the roadmap under approval, as an added task does.
  if (tasks.length > 0 && ctx.step.id === 'GAP_ANALYSIS') d.roadmapVersion += 1;
  return { taskIds: tasks.map((t) => t.id), records: tasks.length > 0 ? { tasks } : {} };
}
