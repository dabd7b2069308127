/**
 * The process model as BPMN 2.0 XML (served at GET /process.bpmn), with diagram interchange
 * (shapes and edges) from the shared layout, so it opens laid out in bpmn.io or Camunda
 * Modeler. It documents the journey; it is not executed (isExecutable="false"): Temporal runs
 * the workflows.
 */
import { STEPS, PROCESS_MODEL_VERSION, type DeadlineId } from './process-model';
import { processLayout, type LayoutEdge, type LayoutNode, type ProcessLayout } from './process-layout';

export const BPMN_PROCESS_ID = 'Process_aimsflow';

const NS = {
  bpmn: 'http://www.omg.org/spec/BPMN/20100524/MODEL',
  bpmndi: 'http://www.omg.org/spec/BPMN/20100524/DI',
  dc: 'http://www.omg.org/spec/DD/20100524/DC',
  di: 'http://www.omg.org/spec/DD/20100524/DI',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
};

/** The defaults of a programme's timing configuration; each programme may set its own. */
const TIMER_DURATIONS: Record<DeadlineId, string> = {
  majorNcVerification: 'P183D',
  surveillanceDue: 'P12M',
  recertificationDue: 'P3Y',
  restoreWindow: 'P6M',
};

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const attr = (name: string, value: string | number | boolean | undefined): string =>
  value === undefined ? '' : ` ${name}="${escapeXml(String(value))}"`;

function flowRefs(node: LayoutNode, edges: readonly LayoutEdge[], indent: string): string[] {
  return [
    ...edges
      .filter((e) => e.target === node.id)
      .map((e) => `${indent}<bpmn:incoming>${e.id}</bpmn:incoming>`),
    ...edges
      .filter((e) => e.source === node.id)
      .map((e) => `${indent}<bpmn:outgoing>${e.id}</bpmn:outgoing>`),
  ];
}

function flowNode(node: LayoutNode, layout: ProcessLayout, indent: string): string[] {
  const inner = `${indent}  `;
  const doc = node.documentation
    ? [`${inner}<bpmn:documentation>${escapeXml(node.documentation)}</bpmn:documentation>`]
    : [];
  const refs = flowRefs(node, layout.edges, inner);
  const open = (tag: string, extra = '') =>
    `${indent}<bpmn:${tag}${attr('id', node.id)}${attr('name', node.name)}${extra}>`;
  switch (node.kind) {
    case 'startEvent':
      return [open('startEvent'), ...doc, ...refs, `${indent}</bpmn:startEvent>`];
    case 'userTask':
      return [open('userTask'), ...doc, ...refs, `${indent}</bpmn:userTask>`];
    case 'exclusiveGateway':
      return [open('exclusiveGateway'), ...doc, ...refs, `${indent}</bpmn:exclusiveGateway>`];
    case 'boundaryTimer': {
      const duration = node.deadline ? TIMER_DURATIONS[node.deadline] : 'P0D';
      return [
        open('boundaryEvent', `${attr('attachedToRef', node.attachedTo)}${attr('cancelActivity', true)}`),
        ...doc,
        ...refs,
        `${inner}<bpmn:timerEventDefinition${attr('id', `${node.id}_definition`)}>`,
        `${inner}  <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">${duration}</bpmn:timeDuration>`,
        `${inner}</bpmn:timerEventDefinition>`,
        `${indent}</bpmn:boundaryEvent>`,
      ];
    }
    case 'signalStart':
      return [
        open('startEvent', attr('isInterrupting', true)),
        ...refs,
        `${inner}<bpmn:signalEventDefinition${attr('id', `${node.id}_definition`)} signalRef="Signal_withdraw" />`,
        `${indent}</bpmn:startEvent>`,
      ];
    case 'endEvent':
      return [open('endEvent'), ...refs, `${indent}</bpmn:endEvent>`];
    case 'eventSubProcess': {
      const children = layout.nodes.filter((n) => n.parent === node.id);
      const flows = layout.edges.filter((e) => e.parent === node.id);
      return [
        open('subProcess', attr('triggeredByEvent', true)),
        ...children.flatMap((child) => flowNode(child, layout, inner)),
        ...flows.flatMap((flow) => sequenceFlow(flow, inner)),
        `${indent}</bpmn:subProcess>`,
      ];
    }
  }
}

function sequenceFlow(edge: LayoutEdge, indent: string): string[] {
  const open = `${indent}<bpmn:sequenceFlow${attr('id', edge.id)}${attr('name', edge.name)}${attr('sourceRef', edge.source)}${attr('targetRef', edge.target)}`;
  if (!edge.condition) return [`${open} />`];
  return [
    `${open}>`,
    `${indent}  <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${escapeXml(edge.condition)}</bpmn:conditionExpression>`,
    `${indent}</bpmn:sequenceFlow>`,
  ];
}

function shape(node: LayoutNode): string[] {
  const b = node.bounds;
  const extra =
    node.kind === 'eventSubProcess'
      ? ' isExpanded="true"'
      : node.kind === 'exclusiveGateway'
        ? ' isMarkerVisible="true"'
        : '';
  return [
    `      <bpmndi:BPMNShape id="${node.id}_di" bpmnElement="${node.id}"${extra}>`,
    `        <dc:Bounds x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}" />`,
    `      </bpmndi:BPMNShape>`,
  ];
}

function edgeDi(edge: LayoutEdge): string[] {
  return [
    `      <bpmndi:BPMNEdge id="${edge.id}_di" bpmnElement="${edge.id}">`,
    ...edge.waypoints.map((p) => `        <di:waypoint x="${p.x}" y="${p.y}" />`),
    `      </bpmndi:BPMNEdge>`,
  ];
}

export function processBpmn(layout: ProcessLayout = processLayout()): string {
  const topNodes = layout.nodes.filter((n) => !n.parent);
  const topEdges = layout.edges.filter((e) => !e.parent);
  // Boundary events are drawn after the tasks they sit on, as modelers expect.
  const drawOrder = [
    ...layout.nodes.filter((n) => n.kind !== 'boundaryTimer'),
    ...layout.nodes.filter((n) => n.kind === 'boundaryTimer'),
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<bpmn:definitions xmlns:bpmn="${NS.bpmn}" xmlns:bpmndi="${NS.bpmndi}" xmlns:dc="${NS.dc}" xmlns:di="${NS.di}" xmlns:xsi="${NS.xsi}" id="Definitions_aimsflow" targetNamespace="https://github.com/aimsflow/aimsflow/bpmn" exporter="aimsflow" exporterVersion="${PROCESS_MODEL_VERSION}">`,
    '  <bpmn:signal id="Signal_withdraw" name="withdraw" />',
    `  <bpmn:process id="${BPMN_PROCESS_ID}" name="ISO/IEC 42001 certification journey" isExecutable="false">`,
    `    <bpmn:documentation>${escapeXml(
      `Process model version ${PROCESS_MODEL_VERSION}, ${STEPS.length} steps. Generated from domain/process-model.ts; timer durations are the defaults of a programme's configuration.`,
    )}</bpmn:documentation>`,
    ...topNodes.flatMap((n) => flowNode(n, layout, '    ')),
    ...topEdges.flatMap((e) => sequenceFlow(e, '    ')),
    '  </bpmn:process>',
    '  <bpmndi:BPMNDiagram id="Diagram_aimsflow">',
    `    <bpmndi:BPMNPlane id="Plane_aimsflow" bpmnElement="${BPMN_PROCESS_ID}">`,
    ...drawOrder.flatMap(shape),
    ...layout.edges.flatMap(edgeDi),
    '    </bpmndi:BPMNPlane>',
    '  </bpmndi:BPMNDiagram>',
    '</bpmn:definitions>',
    '',
  ].join('\n');
}
