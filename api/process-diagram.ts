/**
 * A programme drawn on the process layout (the same coordinates as the BPMN export): steps
 * already passed in green, the current step in blue (red when its certificate has lapsed or a
 * deadline has passed), its approval gateway in amber while decisions are awaited, and the
 * deadline timers that are running or overdue. Every highlighted element carries a data-state
 * attribute and a <title> with the reasons, so the picture can be checked by tools and read by
 * hovering. Pure string rendering: the handler supplies the state.
 */
import { escapeXml } from '../domain/bpmn';
import { STEPS } from '../domain/process-model';
import {
  processLayout,
  type LayoutEdge,
  type LayoutNode,
  type ProcessLayout,
} from '../domain/process-layout';
import type { Deadline, PendingApproval, UnmetGate } from '../domain/views';
import type { StepId } from '../domain/vocabulary';

export type ElementState = 'completed' | 'current' | 'overdue' | 'waiting' | 'pending' | 'withdrawn';

export interface DiagramState {
  programmeId: string;
  organisation: string;
  name: string;
  status: 'ACTIVE' | 'WITHDRAWN';
  cycle: number;
  currentStep: StepId | null;
  /** The certificate has lapsed (surveillance or recertification missed). */
  overdue: boolean;
  unmetGates: UnmetGate[];
  pendingApprovals: PendingApproval[];
  nextDeadline?: Deadline;
  /** False when Temporal could not be asked and the stored status is shown instead. */
  live: boolean;
  /** When the picture was drawn (ISO 8601); a deadline before it has passed. */
  at: string;
}

const STYLE: Record<ElementState, { fill: string; stroke: string; width: number; label: string }> = {
  completed: { fill: '#d1fae5', stroke: '#047857', width: 2, label: 'Completed' },
  current: { fill: '#dbeafe', stroke: '#1d4ed8', width: 4, label: 'Current step' },
  overdue: { fill: '#fee2e2', stroke: '#b91c1c', width: 4, label: 'Overdue' },
  waiting: { fill: '#fef3c7', stroke: '#b45309', width: 3, label: 'Awaiting decision / deadline running' },
  pending: { fill: '#ffffff', stroke: '#9ca3af', width: 1.5, label: 'Not reached' },
  withdrawn: { fill: '#e5e7eb', stroke: '#374151', width: 3, label: 'Withdrawn' },
};

const stepIndex = new Map<StepId, number>(STEPS.map((s, i) => [s.id, i]));

function deadlinePassed(state: DiagramState): boolean {
  return state.nextDeadline !== undefined && Date.parse(state.nextDeadline.dueAt) <= Date.parse(state.at);
}

/** The state of one element of the layout, and why (for its tooltip). */
export function elementState(
  node: LayoutNode,
  state: DiagramState,
): { state: ElementState; reasons: string[] } {
  if (state.status === 'WITHDRAWN') {
    return node.parent || node.kind === 'eventSubProcess'
      ? { state: 'withdrawn', reasons: ['the programme was withdrawn'] }
      : { state: 'pending', reasons: [] };
  }
  const current = state.currentStep;
  if (!node.step || current === null) return { state: 'pending', reasons: [] };
  const here = stepIndex.get(node.step) ?? 0;
  const now = stepIndex.get(current) ?? 0;
  if (node.step !== current) return { state: here < now ? 'completed' : 'pending', reasons: [] };

  switch (node.kind) {
    case 'userTask': {
      const reasons = state.unmetGates.map((g) => `${g.gate}: ${g.reason}`);
      if (state.overdue) return { state: 'overdue', reasons: ['certificate lapsed: overdue', ...reasons] };
      if (deadlinePassed(state))
        return {
          state: 'overdue',
          reasons: [`deadline passed: ${state.nextDeadline?.description}`, ...reasons],
        };
      return { state: 'current', reasons: reasons.length ? reasons : ['all gates met; completing'] };
    }
    case 'exclusiveGateway': {
      const waiting = state.pendingApprovals.map(
        (a) =>
          `${a.gate}: v${a.artefactVersion} awaits the ${a.approverRole}${a.lastOutcome ? ` (last: ${a.lastOutcome})` : ''}`,
      );
      return waiting.length ? { state: 'waiting', reasons: waiting } : { state: 'pending', reasons: [] };
    }
    case 'boundaryTimer': {
      const deadline = state.nextDeadline;
      if (!deadline || deadline.id !== node.deadline) return { state: 'pending', reasons: [] };
      const reason = `${deadline.description}: due ${deadline.dueAt}`;
      return deadlinePassed(state)
        ? { state: 'overdue', reasons: [`passed: ${reason}`] }
        : { state: 'waiting', reasons: [reason] };
    }
    default:
      return { state: 'pending', reasons: [] };
  }
}

/** Greedy word wrap for SVG text, which does not wrap by itself. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && `${line} ${word}`.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

function textLines(lines: string[], x: number, y: number, size: number, extra = ''): string {
  const first = y - ((lines.length - 1) * size * 1.2) / 2;
  const spans = lines
    .map((l, i) => `<tspan x="${x}" y="${(first + i * size * 1.2).toFixed(1)}">${escapeXml(l)}</tspan>`)
    .join('');
  return `<text font-size="${size}" text-anchor="middle" dominant-baseline="middle"${extra}>${spans}</text>`;
}

function title(node: LayoutNode, reasons: string[]): string {
  const text = [node.name, ...reasons].join('\n');
  return `<title>${escapeXml(text)}</title>`;
}

function drawNode(node: LayoutNode, state: DiagramState): string {
  const { state: s, reasons } = elementState(node, state);
  const style = STYLE[s];
  const b = node.bounds;
  const cx = b.x + b.width / 2;
  const cy = b.y + b.height / 2;
  const paint = `fill="${style.fill}" stroke="${style.stroke}" stroke-width="${style.width}"`;
  const open = `<g class="bpmn-element ${node.kind}" data-element-id="${node.id}" data-state="${s}"${
    node.step ? ` data-step="${node.step}"` : ''
  }>${title(node, reasons)}`;
  const label = (dy: number) =>
    textLines(wrap(node.name, 18), cx, b.y + b.height + dy, 11, ' fill="#374151"');
  switch (node.kind) {
    case 'userTask':
      return `${open}<rect class="shape" x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}" rx="10" ${paint}/>${textLines(
        wrap(node.name, 20),
        cx,
        cy,
        13,
        ' font-weight="600" fill="#111827"',
      )}</g>`;
    case 'exclusiveGateway': {
      const points = `${cx},${b.y} ${b.x + b.width},${cy} ${cx},${b.y + b.height} ${b.x},${cy}`;
      return `${open}<polygon class="shape" points="${points}" ${paint}/><text x="${cx}" y="${cy + 1}" font-size="22" text-anchor="middle" dominant-baseline="middle" fill="${style.stroke}">×</text></g>`;
    }
    case 'boundaryTimer': {
      const r = b.width / 2;
      return `${open}<circle class="shape" cx="${cx}" cy="${cy}" r="${r}" ${paint}/><circle cx="${cx}" cy="${cy}" r="${r - 4}" fill="none" stroke="${style.stroke}"/><path d="M${cx} ${cy - 9} V${cy} L${cx + 7} ${cy + 4}" fill="none" stroke="${style.stroke}" stroke-width="2"/>${label(14)}</g>`;
    }
    case 'startEvent':
    case 'signalStart':
    case 'endEvent': {
      const strokeWidth = node.kind === 'endEvent' ? Math.max(style.width, 4) : style.width;
      return `${open}<circle class="shape" cx="${cx}" cy="${cy}" r="${b.width / 2}" fill="${style.fill}" stroke="${style.stroke}" stroke-width="${strokeWidth}"/>${label(14)}</g>`;
    }
    case 'eventSubProcess':
      return `${open}<rect class="shape" x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}" rx="10" ${paint} stroke-dasharray="4 3"/><text x="${cx}" y="${b.y + 18}" font-size="12" text-anchor="middle" fill="#374151">${escapeXml(node.name)}</text></g>`;
  }
}

function drawEdge(edge: LayoutEdge): string {
  const points = edge.waypoints.map((p) => `${p.x},${p.y}`).join(' ');
  const name = edge.name ? `<title>${escapeXml(edge.name)}</title>` : '';
  return `<polyline class="flow" data-flow-id="${edge.id}" points="${points}" fill="none" stroke="#6b7280" stroke-width="1.5" marker-end="url(#arrow)">${name}</polyline>`;
}

function legend(x: number, y: number): string {
  let ix = x;
  const items = (['completed', 'current', 'waiting', 'overdue', 'pending'] as const).map((s) => {
    const style = STYLE[s];
    const item = `<g class="legend-item" data-legend="${s}"><rect x="${ix}" y="${y}" width="22" height="16" rx="3" fill="${style.fill}" stroke="${style.stroke}" stroke-width="${Math.min(style.width, 3)}"/><text x="${ix + 30}" y="${y + 12}" font-size="12" fill="#374151">${escapeXml(style.label)}</text></g>`;
    // About 7 px per character at 12 px, plus the swatch and a gap.
    ix += 30 + style.label.length * 7 + 24;
    return item;
  });
  return `<g class="legend">${items.join('')}</g>`;
}

/** The programme's diagram as a standalone SVG document. */
export function programmeSvg(state: DiagramState, layout: ProcessLayout = processLayout()): string {
  const heading = `${state.organisation}: ${state.name}`;
  const where =
    state.status === 'WITHDRAWN'
      ? 'withdrawn'
      : `cycle ${state.cycle}, ${state.currentStep ?? 'between steps'}${state.overdue ? ', OVERDUE' : ''}${
          state.live ? '' : ' (stored state; Temporal unavailable)'
        }`;
  const top = 50;
  const height = layout.height + top;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${layout.width} ${height}" width="${layout.width}" height="${height}" role="img" aria-label="${escapeXml(`${heading} — ${where}`)}" font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" data-programme-id="${escapeXml(state.programmeId)}" data-status="${state.status}">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#6b7280"/></marker></defs>',
    `<rect x="0" y="0" width="${layout.width}" height="${height}" fill="#ffffff"/>`,
    `<text x="20" y="28" font-size="16" font-weight="700" fill="#111827">${escapeXml(heading)} <tspan font-weight="400" fill="#4b5563">— ${escapeXml(where)}</tspan></text>`,
    legend(Math.max(20, layout.width - 900), 14),
    `<g transform="translate(0 ${top})">`,
    ...layout.edges.map(drawEdge),
    ...layout.nodes.filter((n) => n.kind === 'eventSubProcess').map((n) => drawNode(n, state)),
    ...layout.nodes.filter((n) => n.kind !== 'eventSubProcess').map((n) => drawNode(n, state)),
    '</g>',
    '</svg>',
  ].join('\n');
}

/** An HTML page around the SVG with the reasons in words, refreshed every 30 s. */
export function programmeHtml(state: DiagramState, layout: ProcessLayout = processLayout()): string {
  const list = (items: string[], empty: string) =>
    items.length
      ? `<ul>${items.map((i) => `<li>${escapeXml(i)}</li>`).join('')}</ul>`
      : `<p>${escapeXml(empty)}</p>`;
  const deadline = state.nextDeadline
    ? `${state.nextDeadline.description}: due ${state.nextDeadline.dueAt}${deadlinePassed(state) ? ' (PASSED)' : ''}`
    : undefined;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="30">
<title>${escapeXml(`${state.name} — aimsflow`)}</title>
<style>
body { font-family: system-ui, -apple-system, Segoe UI, Roboto, sans-serif; margin: 1.5rem; color: #111827; }
.diagram svg { width: 100%; height: auto; border: 1px solid #e5e7eb; border-radius: 8px; }
.panels { display: flex; gap: 2rem; flex-wrap: wrap; }
.panels section { min-width: 18rem; flex: 1; }
h1 { font-size: 1.3rem; } h2 { font-size: 1rem; }
</style>
</head>
<body>
<h1>${escapeXml(`${state.organisation}: ${state.name}`)}</h1>
<p>Programme <code>${escapeXml(state.programmeId)}</code> · status ${state.status} · cycle ${state.cycle} · step ${escapeXml(
    state.currentStep ?? '—',
  )}${state.overdue ? ' · <strong>OVERDUE</strong>' : ''}${state.live ? '' : ' · stored state (Temporal unavailable)'}</p>
<div class="diagram">${programmeSvg(state, layout)}</div>
<div class="panels">
<section><h2>Unmet gates</h2>${list(
    state.unmetGates.map((g) => `${g.gate}: ${g.reason}`),
    'None',
  )}</section>
<section><h2>Awaiting approval</h2>${list(
    state.pendingApprovals.map((a) => `${a.gate} (v${a.artefactVersion}) by the ${a.approverRole}`),
    'None',
  )}</section>
<section><h2>Next deadline</h2>${list(deadline ? [deadline] : [], 'None')}</section>
</div>
</body>
</html>
`;
}
