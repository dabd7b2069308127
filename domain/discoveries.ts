/**
 * What a stage does when a scan finds new AI systems in scope: it notes each system in the
 * facts and, unless the system already has an impact assessment, opens a roadmap task to
 * assess it (clause 8.4), so the new system cannot slip past the implementation gates.
 * Pure; the stage workflow persists the returned changes. A system already noted is ignored,
 * so a repeated signal changes nothing.
 */
import type { RecordChanges } from './contracts/persistence';
import { addDurationIso } from './durations';
import { fingerprint } from './fingerprint';
import type { DiscoveredSystemFact, ProgrammeFacts, SystemFact, TaskFact } from './facts';

export type { DiscoveredSystemFact } from './facts';
import type { StepContext } from './queries';

export const IMPACT_ASSESSMENT_REQUIREMENT = '8.4';
export const DEFAULT_IMPACT_ASSESSMENT_DUE = 'P30D';

/** A scan or import found AI systems in scope; the stage reads them from the scan's record. */
export interface DiscoveryEvent {
  scanId: string;
}

/** The task that opens for a system found in scope. */
export const discoveredTaskTitle = (name: string, id: string): string =>
  `Impact assessment of newly discovered AI system ${name} (${id})`;

const isEmail = (value: string | undefined): value is string =>
  !!value && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value);

export function applyDiscoveredSystems(
  f: ProgrammeFacts,
  ctx: StepContext,
  scanId: string,
  systems: readonly DiscoveredSystemFact[],
): { taskIds: string[]; changes: RecordChanges } {
  const now = new Date(ctx.now).toISOString();
  const tasks: { fact: TaskFact; discovered: { systemId: string; name: string } }[] = [];
  const noted: { id: string; fact: SystemFact }[] = [];
  for (const system of [...systems].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    if (f.systems[system.id]?.discovered) continue;
    const fact: SystemFact = { ...f.systems[system.id], discovered: { scanId, at: now } };
    f.systems[system.id] = fact;
    noted.push({ id: system.id, fact });
    if (f.impactAssessments[system.id]) continue;
    const id = `T-${++f.seq.task}`;
    const task: Omit<TaskFact, 'sha256'> = {
      id,
      requirementId: IMPACT_ASSESSMENT_REQUIREMENT,
      owner: isEmail(system.owner)
        ? system.owner
        : (f.documents.scope?.people.complianceLead.email ?? 'unassigned'),
      deadline: addDurationIso(now, f.config.impactAssessmentDue ?? DEFAULT_IMPACT_ASSESSMENT_DUE),
      status: 'open',
    };
    const full: TaskFact = { ...task, sha256: fingerprint({ ...task, discoveredSystem: system.id }) };
    f.tasks[id] = full;
    tasks.push({ fact: full, discovered: { systemId: system.id, name: system.name } });
  }
  // A new task changes the roadmap under approval, as an added task does.
  if (tasks.length > 0 && ctx.step.id === 'GAP_ANALYSIS') f.roadmapVersion += 1;
  return { taskIds: tasks.map((t) => t.fact.id), changes: { systems: noted, tasks } };
}
