/** Closes a roadmap task: done, or its residual risk accepted by the manager who accepts it. */
import type { SchemaParts, Z } from '../schema-parts';
import { when } from '../schema-rules';
import { defineInput } from './definition';

export function taskUpdateBodySchema(z: Z, p: SchemaParts) {
  return z
    .object({
      status: z.enum(['done', 'risk_accepted']),
      note: p.Text().optional(),
      acceptedBy: p.Email.optional(),
    })
    .strict()
    .refine((t) => t.status !== 'risk_accepted' || t.acceptedBy !== undefined, {
      path: ['acceptedBy'],
      message: 'accepting a residual risk requires the accepting manager',
    })
    .meta(when('status', 'risk_accepted', { required: ['acceptedBy'] }));
}

export const taskUpdate = defineInput({
  kind: 'taskUpdate',
  schema: (z, p) =>
    z.object({ kind: z.literal('taskUpdate'), taskId: z.string(), update: taskUpdateBodySchema(z, p) }),
  facts: (input) => ({ taskId: input.taskId, status: input.update.status }),
  rejection(f, _ctx, facts) {
    const task = f.tasks[facts.taskId];
    if (!task) return `no roadmap task ${facts.taskId}`;
    return task.status === 'open' ? null : `task ${facts.taskId} is already ${task.status}`;
  },
  apply(f, ctx, { ref, facts }) {
    const task = f.tasks[facts.taskId];
    task.status = facts.status;
    task.closedAt = new Date(ctx.now).toISOString();
    return { recordId: task.id, changes: { tasks: [{ fact: task, closed: { ...ref, path: ['update'] } }] } };
  },
});
