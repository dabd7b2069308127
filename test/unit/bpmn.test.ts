/**
 * The BPMN export of the process model. Structure is checked on the layout it is drawn from;
 * the XML itself is checked by xmllint (well-formed, and valid against the official BPMN 2.0
 * XSDs that the bpmn-moddle package ships) and by bpmn-moddle, the library behind bpmn.io and
 * Camunda Modeler, which must import it without a single warning.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { processBpmn } from '../../domain/bpmn';
import { STEPS } from '../../domain/process-model';
import { gatewayId, processLayout, taskId, timerId } from '../../domain/process-layout';

const layout = processLayout();
const xml = processBpmn(layout);
const ids = new Set(layout.nodes.map((n) => n.id));

/** bpmn-moddle ships the OMG XSDs; its exports map hides them from require.resolve, its package.json not. */
function bpmnModdleDir(): string | undefined {
  try {
    return path.dirname(require.resolve('bpmn-moddle/package.json'));
  } catch {
    return undefined;
  }
}
const moddleDir = bpmnModdleDir();
// CI installs both (.ci/run); locally a missing one skips its test instead of failing for the wrong reason.

let file: string;
beforeAll(() => {
  file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'aimsflow-bpmn-')), 'process.bpmn');
  fs.writeFileSync(file, xml);
});

describe('layout', () => {
  test('every step is a user task with a gateway when it has approvals and a timer per deadline', () => {
    for (const step of STEPS) {
      const task = layout.nodes.find((n) => n.id === taskId(step.id));
      expect(task).toMatchObject({ kind: 'userTask', name: step.title, step: step.id });
      expect(ids.has(gatewayId(step.id))).toBe(step.approvals.length > 0);
      for (const deadline of step.deadlines) {
        expect(layout.nodes.find((n) => n.id === timerId(step.id, deadline))).toMatchObject({
          kind: 'boundaryTimer',
          attachedTo: taskId(step.id),
        });
      }
    }
    expect(layout.nodes.filter((n) => n.kind === 'boundaryTimer')).toHaveLength(
      STEPS.reduce((sum, s) => sum + s.deadlines.length, 0),
    );
  });

  test('every flow joins two existing elements, and every element but the start is reachable', () => {
    for (const edge of layout.edges) {
      expect(ids.has(edge.source)).toBe(true);
      expect(ids.has(edge.target)).toBe(true);
      expect(edge.waypoints.length).toBeGreaterThanOrEqual(2);
    }
    const targets = new Set(layout.edges.map((e) => e.target));
    const unreachable = layout.nodes.filter(
      (n) =>
        !targets.has(n.id) &&
        !['startEvent', 'signalStart', 'boundaryTimer', 'eventSubProcess'].includes(n.kind),
    );
    expect(unreachable).toEqual([]);
  });

  test('the flows follow the process model: next steps, resubmission, the next cycle, withdrawn certificates', () => {
    const flows = new Set(layout.edges.map((e) => `${e.source}->${e.target}`));
    for (const step of STEPS) {
      const exit = step.approvals.length > 0 ? gatewayId(step.id) : taskId(step.id);
      const next = step.next === 'NEXT_CYCLE' ? 'SURVEILLANCE_1' : step.next;
      expect(flows).toContain(`${exit}->${taskId(next)}`);
      if (step.approvals.length > 0) expect(flows).toContain(`${gatewayId(step.id)}->${taskId(step.id)}`);
      if (step.onWithdrawnCertificate) {
        expect(flows).toContain(
          `${timerId(step.id, 'restoreWindow')}->${taskId(step.onWithdrawnCertificate)}`,
        );
      }
    }
  });

  test('a gateway’s outgoing flows carry conditions', () => {
    const fromGateways = layout.edges.filter((e) => e.source.startsWith('Gateway_'));
    expect(fromGateways.length).toBeGreaterThan(0);
    for (const e of fromGateways) expect(e.condition).toBeTruthy();
  });

  test('tasks do not overlap and everything lies on the canvas', () => {
    const tasks = layout.nodes.filter((n) => n.kind === 'userTask').map((n) => n.bounds);
    for (const [i, a] of tasks.entries()) {
      for (const b of tasks.slice(i + 1)) {
        const overlap =
          a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
        expect(overlap).toBe(false);
      }
    }
    for (const n of layout.nodes) {
      expect(n.bounds.x).toBeGreaterThanOrEqual(0);
      expect(n.bounds.x + n.bounds.width).toBeLessThanOrEqual(layout.width);
      expect(n.bounds.y + n.bounds.height).toBeLessThanOrEqual(layout.height);
    }
  });
});

describe('XML', () => {
  test('has a shape for every element and an edge for every flow', () => {
    for (const n of layout.nodes)
      expect(xml).toContain(`<bpmndi:BPMNShape id="${n.id}_di" bpmnElement="${n.id}"`);
    for (const e of layout.edges)
      expect(xml).toContain(`<bpmndi:BPMNEdge id="${e.id}_di" bpmnElement="${e.id}"`);
  });

  test('is well-formed', () => {
    expect(() => execFileSync('xmllint', ['--noout', file], { stdio: 'pipe' })).not.toThrow();
  });

  test('validates against the BPMN 2.0 XSD', () => {
    expect(moddleDir).toBeDefined();
    const xsd = path.join(moddleDir as string, 'resources', 'bpmn', 'xsd', 'BPMN20.xsd');
    const result = spawnSync('xmllint', ['--noout', '--schema', xsd, file], { encoding: 'utf8' });
    expect(result.stderr.trim()).toBe(`${file} validates`);
    expect(result.status).toBe(0);
  });

  test('imports into bpmn-moddle without warnings and resolves every reference', () => {
    expect(moddleDir).toBeDefined();
    // bpmn-moddle is ESM-only: import it in a child Node process rather than through ts-jest.
    const entry = pathToFileURL(path.join(moddleDir as string, 'dist', 'index.js')).href;
    const script = `
      import fs from 'node:fs';
      import { BpmnModdle } from ${JSON.stringify(entry)};
      const { rootElement, warnings, elementsById } = await new BpmnModdle().fromXML(fs.readFileSync(process.argv[1], 'utf8'));
      const process0 = rootElement.rootElements.find((e) => e.$type === 'bpmn:Process');
      console.log(JSON.stringify({
        warnings: warnings.map((w) => w.message),
        type: rootElement.$type,
        tasks: process0.flowElements.filter((e) => e.$type === 'bpmn:UserTask').map((e) => e.id),
        ids: Object.keys(elementsById).length,
      }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, file], {
      encoding: 'utf8',
    });
    const parsed = JSON.parse(out) as { warnings: string[]; type: string; tasks: string[]; ids: number };
    expect(parsed.warnings).toEqual([]);
    expect(parsed.type).toBe('bpmn:Definitions');
    expect(parsed.tasks.sort()).toEqual(STEPS.map((s) => taskId(s.id)).sort());
    expect(parsed.ids).toBeGreaterThan(layout.nodes.length + layout.edges.length);
  });
});
