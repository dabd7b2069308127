/**
 * The process model laid out as a graph with coordinates: one user task per step, an exclusive
 * gateway after each step that has approvals (approved: on; rejected: resubmit), a boundary
 * timer per deadline, the three-year cycle, and withdrawal as a signal-triggered event
 * sub-process. The BPMN export (bpmn.ts) and the per-programme SVG view draw this one layout,
 * so the file operators open in a modeler and the picture sponsors look at agree.
 *
 * Geometry: the steps up to certification run left to right; the surveillance cycle runs right
 * to left underneath, starting below the step that leads into it.
 */
import { FIRST_STEP, NEXT_CYCLE_STEP, STEPS, type DeadlineId, type StepDef } from './process-model';
import type { StepId } from './vocabulary';

export interface Point {
  x: number;
  y: number;
}

export interface Bounds extends Point {
  width: number;
  height: number;
}

export type NodeKind =
  | 'startEvent'
  | 'userTask'
  | 'exclusiveGateway'
  | 'boundaryTimer'
  | 'eventSubProcess'
  | 'signalStart'
  | 'endEvent';

export interface LayoutNode {
  id: string;
  kind: NodeKind;
  name: string;
  bounds: Bounds;
  /** The step a task, gateway or timer belongs to. */
  step?: StepId;
  /** For boundary timers. */
  attachedTo?: string;
  deadline?: DeadlineId;
  /** For nodes inside the withdrawal event sub-process. */
  parent?: string;
  documentation?: string;
}

export type EdgeKind = 'start' | 'toGateway' | 'next' | 'resubmit' | 'nextCycle' | 'deadline' | 'withdrawal';

export interface LayoutEdge {
  id: string;
  kind: EdgeKind;
  source: string;
  target: string;
  name?: string;
  /** A gateway's outgoing flows carry the condition they stand for. */
  condition?: string;
  waypoints: Point[];
  parent?: string;
}

export interface ProcessLayout {
  nodes: LayoutNode[];
  edges: LayoutEdge[];
  width: number;
  height: number;
}

export const DEADLINE_LABELS: Record<DeadlineId, string> = {
  majorNcVerification: 'Major NC unverified in time: repeat stage 2',
  surveillanceDue: 'Audit missed: certificate lapses',
  recertificationDue: 'Expiry passed: certificate lapses',
  restoreWindow: 'Not restored in time: certificate withdrawn',
};

const TASK = { width: 150, height: 80 };
const GATEWAY = 50;
const EVENT = 36;
const COLUMN = 300;
const LEFT = 140;
const ROW_A_TOP = 100;
const ROW_B_TOP = 360;

export const taskId = (step: StepId): string => `Task_${step}`;
export const gatewayId = (step: StepId): string => `Gateway_${step}`;
export const timerId = (step: StepId, deadline: DeadlineId): string => `Timer_${step}_${deadline}`;
export const WITHDRAWAL_ID = 'Withdrawal';
export const WITHDRAWN_END_ID = 'End_withdrawn';

const centre = (b: Bounds): Point => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 });

function stepDocumentation(step: StepDef): string {
  const approvals = step.approvals.map((a) => `${a.title} (approved by ${a.approverRole})`);
  return [
    `Accepts: ${step.accepts.join(', ')}.`,
    ...(approvals.length ? [`Approvals: ${approvals.join('; ')}.`] : []),
    ...(step.gates.length ? [`Exit gates: ${step.gates.join(', ')}.`] : []),
  ].join(' ');
}

/** Where each step's task sits: row A left to right, then the cycle in row B right to left. */
function placeSteps(): Map<StepId, { bounds: Bounds; row: 'A' | 'B'; dir: 1 | -1 }> {
  const cycleStart = STEPS.findIndex((s) => s.id === NEXT_CYCLE_STEP);
  const rowA = STEPS.slice(0, cycleStart);
  const rowB = STEPS.slice(cycleStart);
  if (rowB.length > rowA.length) throw new Error('layout: the cycle is longer than the way into it');
  const placed = new Map<StepId, { bounds: Bounds; row: 'A' | 'B'; dir: 1 | -1 }>();
  rowA.forEach((s, i) =>
    placed.set(s.id, { bounds: { x: LEFT + i * COLUMN, y: ROW_A_TOP, ...TASK }, row: 'A', dir: 1 }),
  );
  rowB.forEach((s, i) =>
    placed.set(s.id, {
      bounds: { x: LEFT + (rowA.length - 1 - i) * COLUMN, y: ROW_B_TOP, ...TASK },
      row: 'B',
      dir: -1,
    }),
  );
  return placed;
}

export function processLayout(): ProcessLayout {
  const nodes: LayoutNode[] = [];
  const edges: LayoutEdge[] = [];
  const placed = placeSteps();
  const at = (step: StepId) => {
    const p = placed.get(step);
    if (!p) throw new Error(`layout: step ${step} not placed`);
    return p;
  };
  const rowABottom = ROW_A_TOP + TASK.height;
  const rowBBottom = ROW_B_TOP + TASK.height;
  const lastColumnX = LEFT + (Math.max(...[...placed.values()].map((p) => p.bounds.x)) - LEFT);
  const busX = lastColumnX + TASK.width + GATEWAY + 60;
  const restoreLane = rowBBottom + 70;
  const nextCycleLane = rowBBottom + 105;
  const channel = rowABottom + 55;
  const restoreChannel = rowABottom + 40;

  // Start.
  const first = at(FIRST_STEP).bounds;
  const start: LayoutNode = {
    id: 'Start',
    kind: 'startEvent',
    name: 'Programme started',
    bounds: { x: LEFT - 90, y: centre(first).y - EVENT / 2, width: EVENT, height: EVENT },
  };
  nodes.push(start);
  edges.push({
    id: 'Flow_start',
    kind: 'start',
    source: start.id,
    target: taskId(FIRST_STEP),
    waypoints: [
      { x: start.bounds.x + EVENT, y: centre(first).y },
      { x: first.x, y: centre(first).y },
    ],
  });

  for (const step of STEPS) {
    const { bounds, dir } = at(step.id);
    const c = centre(bounds);
    nodes.push({
      id: taskId(step.id),
      kind: 'userTask',
      name: step.title,
      bounds,
      step: step.id,
      documentation: stepDocumentation(step),
    });

    // The point the step leaves from: its gateway when it has approvals, else the task itself.
    let exit: { id: string; side: Point; bottom: Point };
    const taskSide = { x: dir === 1 ? bounds.x + bounds.width : bounds.x, y: c.y };
    if (step.approvals.length > 0) {
      const gx = dir === 1 ? bounds.x + bounds.width + 30 : bounds.x - 30 - GATEWAY;
      const gateway: LayoutNode = {
        id: gatewayId(step.id),
        kind: 'exclusiveGateway',
        name: 'Approved and gates met?',
        bounds: { x: gx, y: c.y - GATEWAY / 2, width: GATEWAY, height: GATEWAY },
        step: step.id,
      };
      nodes.push(gateway);
      const gc = centre(gateway.bounds);
      edges.push({
        id: `Flow_${step.id}_decision`,
        kind: 'toGateway',
        source: taskId(step.id),
        target: gateway.id,
        waypoints: [taskSide, { x: dir === 1 ? gx : gx + GATEWAY, y: c.y }],
      });
      const loopY = bounds.y - 35;
      edges.push({
        id: `Flow_${step.id}_resubmit`,
        kind: 'resubmit',
        source: gateway.id,
        target: taskId(step.id),
        name: 'Rejected or changes requested: resubmit',
        condition: 'an approval was rejected or changes were requested',
        waypoints: [
          { x: gc.x, y: gateway.bounds.y },
          { x: gc.x, y: loopY },
          { x: c.x, y: loopY },
          { x: c.x, y: bounds.y },
        ],
      });
      exit = {
        id: gateway.id,
        side: { x: dir === 1 ? gx + GATEWAY : gx, y: c.y },
        bottom: { x: gc.x, y: gateway.bounds.y + GATEWAY },
      };
    } else {
      exit = { id: taskId(step.id), side: taskSide, bottom: { x: c.x, y: bounds.y + bounds.height } };
    }
    const exitCondition = step.approvals.length > 0 ? 'all approvals given and exit gates met' : undefined;

    if (step.next === 'NEXT_CYCLE') {
      const target = at(NEXT_CYCLE_STEP).bounds;
      const tx = centre(target).x;
      const from = { x: c.x, y: bounds.y + bounds.height };
      edges.push({
        id: `Flow_${step.id}_next_cycle`,
        kind: 'nextCycle',
        source: exit.id,
        target: taskId(NEXT_CYCLE_STEP),
        name: 'Recertified: next three-year cycle (continue-as-new)',
        condition: exitCondition,
        waypoints:
          exit.id === taskId(step.id)
            ? [
                from,
                { x: from.x, y: nextCycleLane },
                { x: tx, y: nextCycleLane },
                { x: tx, y: target.y + target.height },
              ]
            : [
                exit.bottom,
                { x: exit.bottom.x, y: nextCycleLane },
                { x: tx, y: nextCycleLane },
                { x: tx, y: target.y + target.height },
              ],
      });
    } else {
      const next = at(step.next);
      const target = next.bounds;
      const tc = centre(target);
      const sameRow = next.row === at(step.id).row;
      edges.push({
        id: `Flow_${step.id}_next`,
        kind: 'next',
        source: exit.id,
        target: taskId(step.next),
        name: 'All gates met',
        condition: exitCondition,
        waypoints: sameRow
          ? [exit.side, { x: dir === 1 ? target.x : target.x + target.width, y: tc.y }]
          : [
              exit.bottom,
              { x: exit.bottom.x, y: channel },
              { x: tc.x, y: channel },
              { x: tc.x, y: target.y },
            ],
      });
    }

    // Deadlines: boundary timers along the bottom edge of the task.
    const offsets = step.deadlines.length === 1 ? [75] : step.deadlines.map((_, i) => 35 + i * 80);
    step.deadlines.forEach((deadline, i) => {
      const tx = bounds.x + (offsets[i] ?? 75);
      const bottom = bounds.y + bounds.height;
      const timer: LayoutNode = {
        id: timerId(step.id, deadline),
        kind: 'boundaryTimer',
        name: DEADLINE_LABELS[deadline],
        bounds: { x: tx - EVENT / 2, y: bottom - EVENT / 2, width: EVENT, height: EVENT },
        step: step.id,
        attachedTo: taskId(step.id),
        deadline,
      };
      nodes.push(timer);
      const below = { x: tx, y: bottom + EVENT / 2 };
      if (deadline === 'restoreWindow') {
        const to = step.onWithdrawnCertificate ?? 'CERTIFICATION';
        const target = at(to).bounds;
        const entry = target.x + target.width - 20;
        edges.push({
          id: `Flow_${step.id}_${deadline}`,
          kind: 'deadline',
          source: timer.id,
          target: taskId(to),
          waypoints: [
            below,
            { x: tx, y: restoreLane },
            { x: busX, y: restoreLane },
            { x: busX, y: restoreChannel },
            { x: entry, y: restoreChannel },
            { x: entry, y: target.y + target.height },
          ],
        });
      } else {
        // The step continues (stage 2 again, or overdue with a lapsed certificate): back into it.
        const side = offsets[i] !== undefined && offsets[i] > 75 ? bounds.x + bounds.width - 8 : bounds.x + 8;
        const loopY = bottom + EVENT / 2 + 18;
        edges.push({
          id: `Flow_${step.id}_${deadline}`,
          kind: 'deadline',
          source: timer.id,
          target: taskId(step.id),
          waypoints: [below, { x: tx, y: loopY }, { x: side, y: loopY }, { x: side, y: bottom }],
        });
      }
    });
  }

  // Withdrawal: a signal, accepted in any step, handled by an interrupting event sub-process.
  const subTop = nextCycleLane + 45;
  const sub: LayoutNode = {
    id: WITHDRAWAL_ID,
    kind: 'eventSubProcess',
    name: 'Withdrawal (from any step)',
    bounds: { x: LEFT, y: subTop, width: 400, height: 110 },
  };
  const signalStart: LayoutNode = {
    id: 'Start_withdraw',
    kind: 'signalStart',
    name: 'Withdraw signal',
    bounds: { x: LEFT + 50, y: subTop + 37, width: EVENT, height: EVENT },
    parent: sub.id,
  };
  const end: LayoutNode = {
    id: WITHDRAWN_END_ID,
    kind: 'endEvent',
    name: 'Programme withdrawn',
    bounds: { x: LEFT + 310, y: subTop + 37, width: EVENT, height: EVENT },
    parent: sub.id,
  };
  nodes.push(sub, signalStart, end);
  edges.push({
    id: 'Flow_withdrawal',
    kind: 'withdrawal',
    source: signalStart.id,
    target: end.id,
    parent: sub.id,
    waypoints: [
      { x: signalStart.bounds.x + EVENT, y: subTop + 55 },
      { x: end.bounds.x, y: subTop + 55 },
    ],
  });

  return { nodes, edges, width: busX + 60, height: subTop + 110 + 40 };
}
