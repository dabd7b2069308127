/** A JourneyPort that drives a programme through the public HTTP API, as a client would. */
import type { DecisionBody, StageInput } from '../../domain/schemas';
import { onBehalf } from './fixtures';
import type { StepId } from '../../domain/vocabulary';
import { completeScoping, submitGapAnalysis, type JourneyPort } from './journey';

export interface HttpResult {
  status: number;
  body: unknown;
  headers: Headers;
}

export async function http(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined, headers: res.headers };
}

/** The route each stage input is sent to: the inverse of the API's route table. */
export function routeFor(input: StageInput): { method: string; path: string; body: unknown } {
  const { kind: _kind, ...rest } = input;
  switch (input.kind) {
    case 'scope':
      return { method: 'PUT', path: 'scope', body: rest };
    case 'assessments':
      return { method: 'POST', path: 'assessments', body: rest };
    case 'roadmapTask':
      return { method: 'POST', path: 'tasks', body: rest };
    case 'taskUpdate':
      return { method: 'PATCH', path: `tasks/${input.taskId}`, body: input.update };
    case 'policy':
      return { method: 'POST', path: 'policies', body: rest };
    case 'riskTreatmentPlan':
      return { method: 'PUT', path: 'risk-treatment-plan', body: rest };
    case 'impactAssessment':
      return { method: 'POST', path: 'impact-assessments', body: rest };
    case 'soa':
      return { method: 'PUT', path: 'soa', body: rest };
    case 'audit':
      return { method: 'POST', path: 'audits', body: rest };
    case 'auditProgramme':
      return { method: 'PUT', path: 'audit-programme', body: rest };
    case 'finding':
      return { method: 'POST', path: 'findings', body: rest };
    case 'correctiveAction':
      return { method: 'POST', path: `findings/${input.findingId}/corrective-action`, body: input.action };
    case 'verification':
      return { method: 'POST', path: `findings/${input.findingId}/verification`, body: input.verification };
    case 'managementReview':
      return { method: 'PUT', path: 'management-review', body: rest };
    case 'certificationBody':
      return { method: 'PUT', path: 'certification-body', body: rest };
    case 'certificationDecision':
      return { method: 'POST', path: 'certification-decision', body: input.decision };
  }
}

export interface ProgrammeDetail {
  step: StepId | null;
  stage: string | null;
  cycle: number;
  status: string;
  accepts: string[];
  live: boolean;
  [key: string]: unknown;
}

export class HttpJourneyPort implements JourneyPort {
  constructor(
    private readonly base: () => string,
    readonly programmeId: string,
    /** Authorization header of the caller, e.g. `stack.authHeader('programme-manager')`. */
    private readonly auth: Record<string, string> = {},
  ) {}

  private async expectOk(method: string, path: string, body: unknown): Promise<Record<string, unknown>> {
    const res = await http(this.base(), method, `/programmes/${this.programmeId}/${path}`, body, this.auth);
    if (res.status >= 300) throw new Error(`${method} ${path} -> ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body as Record<string, unknown>;
  }

  async submit(input: StageInput): Promise<{ recordId?: string; findingIds?: string[] }> {
    const route = routeFor(input);
    return this.expectOk(route.method, route.path, route.body);
  }

  decide(decision: DecisionBody): Promise<unknown> {
    return this.expectOk('POST', 'decisions', onBehalf(decision));
  }

  async detail(): Promise<ProgrammeDetail> {
    const res = await http(this.base(), 'GET', `/programmes/${this.programmeId}`, undefined, this.auth);
    if (res.status !== 200) throw new Error(`GET programme -> ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body as ProgrammeDetail;
  }

  /** Polls the programme (bounded) until it runs `step` and its stage takes inputs. */
  async waitFor(ok: (p: ProgrammeDetail) => boolean, what: string, tries = 400): Promise<ProgrammeDetail> {
    let last: ProgrammeDetail | undefined;
    for (let i = 0; i < tries; i++) {
      last = await this.detail();
      if (ok(last)) return last;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`${what} not reached; last: ${JSON.stringify(last)}`);
  }

  waitForStep(step: StepId): Promise<ProgrammeDetail> {
    return this.waitFor((p) => p.step === step && p.accepts.length > 0, `step ${step}`);
  }
}

/** Scoping, then gap analysis until the roadmap's approval request is out (it asks for a report). */
export async function runToRoadmapRequest(port: HttpJourneyPort): Promise<void> {
  await completeScoping(port);
  await submitGapAnalysis(port);
  await port.waitFor(
    (p) =>
      (p.pendingApprovals as { gate: string; request?: unknown }[] | undefined)?.some(
        (a) => a.gate === 'roadmap' && a.request,
      ) === true,
    'roadmap approval requested',
  );
}
