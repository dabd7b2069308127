/**
 * What the programme diagram highlights, element by element, for the states a programme can be
 * in: the current step, steps passed, a lapsed certificate, a passed deadline, withdrawal.
 */
import { programmeSvg, elementState, wrap, type DiagramState } from '../../api/process-diagram';
import { processLayout, taskId, timerId, gatewayId, WITHDRAWN_END_ID } from '../../domain/process-layout';

const layout = processLayout();
const node = (id: string) => {
  const found = layout.nodes.find((n) => n.id === id);
  if (!found) throw new Error(`no ${id}`);
  return found;
};

const base: DiagramState = {
  programmeId: 'p1',
  organisation: 'Acme',
  name: 'AIMS',
  status: 'ACTIVE',
  cycle: 1,
  currentStep: 'SURVEILLANCE_1',
  overdue: false,
  unmetGates: [{ gate: 'auditHeld', reason: 'the surveillance audit has not been recorded' }],
  pendingApprovals: [],
  nextDeadline: {
    id: 'surveillanceDue',
    dueAt: '2027-06-01T00:00:00.000Z',
    description: 'surveillance audit 1 must be completed',
  },
  live: true,
  at: '2027-05-01T00:00:00.000Z',
};

test('the current step is current, with its unmet gates as reasons; earlier steps are completed, later ones not reached', () => {
  expect(elementState(node(taskId('SURVEILLANCE_1')), base)).toEqual({
    state: 'current',
    reasons: ['auditHeld: the surveillance audit has not been recorded'],
  });
  expect(elementState(node(taskId('CERTIFICATION')), base).state).toBe('completed');
  expect(elementState(node(gatewayId('CERTIFICATION')), base).state).toBe('completed');
  expect(elementState(node(taskId('SURVEILLANCE_2')), base).state).toBe('pending');
});

test('the running deadline timer waits; once its due date has passed it is overdue and so is the step', () => {
  expect(elementState(node(timerId('SURVEILLANCE_1', 'surveillanceDue')), base)).toEqual({
    state: 'waiting',
    reasons: ['surveillance audit 1 must be completed: due 2027-06-01T00:00:00.000Z'],
  });
  expect(elementState(node(timerId('SURVEILLANCE_1', 'restoreWindow')), base).state).toBe('pending');
  const late = { ...base, at: '2027-06-02T00:00:00.000Z' };
  expect(elementState(node(timerId('SURVEILLANCE_1', 'surveillanceDue')), late).state).toBe('overdue');
  expect(elementState(node(taskId('SURVEILLANCE_1')), late).state).toBe('overdue');
});

test('a lapsed certificate makes the current step overdue and says why', () => {
  const lapsed = { ...base, overdue: true };
  expect(elementState(node(taskId('SURVEILLANCE_1')), lapsed).reasons[0]).toBe('certificate lapsed: overdue');
  expect(elementState(node(taskId('SURVEILLANCE_1')), lapsed).state).toBe('overdue');
});

test('a withdrawn programme highlights the withdrawal and nothing else', () => {
  const withdrawn = { ...base, status: 'WITHDRAWN' as const, currentStep: null };
  expect(elementState(node(WITHDRAWN_END_ID), withdrawn).state).toBe('withdrawn');
  expect(elementState(node(taskId('SCOPING')), withdrawn).state).toBe('pending');
  expect(programmeSvg(withdrawn)).toContain('data-status="WITHDRAWN"');
});

test('the SVG carries a state for every element and a legend', () => {
  const svg = programmeSvg(base, layout);
  for (const n of layout.nodes)
    expect(svg).toMatch(new RegExp(`data-element-id="${n.id}" data-state="\\w+"`));
  for (const s of ['completed', 'current', 'waiting', 'overdue', 'pending'])
    expect(svg).toContain(`data-legend="${s}"`);
});

test('labels wrap at word boundaries', () => {
  expect(wrap('Certification audit (stage 1 and stage 2)', 20)).toEqual([
    'Certification audit',
    '(stage 1 and stage',
    '2)',
  ]);
});
