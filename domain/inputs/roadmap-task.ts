/**
 * A roadmap task that closes a gap: the requirement, what to do, who owns it and by when. In
 * gap analysis a new task changes the roadmap under approval; later it is simply more work.
 */
import type { TaskFact } from '../facts';
import type { SchemaParts, Z } from '../schema-parts';
import { defineInput } from './definition';

export function roadmapTaskBodySchema(z: Z, p: SchemaParts) {
  return z
    .object({ requirementId: p.RequirementId, title: p.Line(300), owner: p.Email, deadline: p.Instant })
    .strict();
}

export const roadmapTask = defineInput({
  kind: 'roadmapTask',
  schema: (z, p) => roadmapTaskBodySchema(z, p).safeExtend({ kind: z.literal('roadmapTask') }),
  facts: (input) => ({ requirementId: input.requirementId, owner: input.owner, deadline: input.deadline }),
  rejection: () => null,
  apply(f, ctx, { ref, facts }) {
    const id = `T-${++f.seq.task}`;
    const task: TaskFact = { id, ...facts, status: 'open', sha256: ref.sha256 };
    f.tasks[id] = task;
    if (ctx.step.id === 'GAP_ANALYSIS') f.roadmapVersion += 1;
    return { recordId: id, changes: { tasks: [{ fact: task, created: ref }] } };
  },
});
