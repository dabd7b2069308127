/**
 * The HTML pages behind approval links: the confirmation page (GET), the result page (POST),
 * and one page per reason a link cannot be used, each with its HTTP status. Rendered from the
 * templates in api/approval-pages/templates; Handlebars escapes every value.
 */
import type { ApprovalOutcome } from '../../domain/schemas';
import { resolveTemplateDir, TemplateSet } from '../../services/mail/templates';

export type LinkProblem =
  | 'invalid'
  | 'expired'
  | 'used'
  | 'superseded'
  | 'decided'
  | 'wrong-approver'
  | 'not-found'
  | 'not-accepted'
  | 'form-invalid'
  | 'unavailable';

/** Each refusal says what happened and what, if anything, the approver can still do. */
const PROBLEMS: Record<LinkProblem, { status: number; heading: string; message: string; advice: string }> = {
  invalid: {
    status: 400,
    heading: 'This link is not valid',
    message: 'The link is incomplete or has been altered. Use the link exactly as it arrived in the e-mail.',
    advice:
      'Nothing was recorded. Use the link exactly as it arrived; if it still fails, ask the programme manager to send the request again.',
  },
  expired: {
    status: 410,
    heading: 'This link has expired',
    message: 'Approval links are valid for a limited time.',
    advice:
      'Nothing was recorded. Ask the programme manager to send the request again: you will get fresh links.',
  },
  used: {
    status: 409,
    heading: 'This link has already been used',
    message: 'A decision was already recorded with your links for this request.',
    advice:
      'Your decision stands and nothing more is needed from you. If you did not make it, tell the programme manager.',
  },
  superseded: {
    status: 409,
    heading: 'This request has been replaced',
    message:
      'Since this e-mail was sent, a new version was submitted or the approval was reassigned, so this link no longer applies.',
    advice:
      'Nothing was recorded with this link, and it cannot be sent again. If a newer version needs your decision, it arrives in a new e-mail.',
  },
  decided: {
    status: 409,
    heading: 'This has already been decided',
    message: 'The decision this link asks for has already been recorded.',
    advice: 'Nothing more is needed from you.',
  },
  'wrong-approver': {
    status: 403,
    heading: 'You cannot decide this',
    message: 'This link was issued to someone who may not decide this approval.',
    advice:
      'Nothing was recorded. If you should decide this, ask the programme manager to reassign the request to you.',
  },
  'not-found': {
    status: 404,
    heading: 'Programme not found',
    message: 'The programme this link belongs to does not exist (any more).',
    advice: 'Nothing was recorded.',
  },
  'not-accepted': {
    status: 409,
    heading: 'The decision was not accepted',
    message: 'The programme could not take this decision in its current state.',
    advice: 'Nothing was recorded. The programme manager can tell you what the programme is waiting for.',
  },
  'form-invalid': {
    status: 403,
    heading: 'This form could not be checked',
    message:
      'The decision was not sent from the page this link opens, or that page is too old. Open the link from the e-mail again and choose on its page. Nothing has been decided.',
    advice: 'Open the link from the e-mail again and choose on the page it opens.',
  },
  unavailable: {
    status: 503,
    heading: 'Please try again in a moment',
    message: 'The service is briefly unavailable. Your decision has not been recorded yet.',
    advice: 'Try the same link again in a minute; it still works.',
  },
};

let pages: TemplateSet | undefined;
const templates = () => (pages ??= new TemplateSet(resolveTemplateDir(__dirname)));

export function problemPage(
  code: LinkProblem,
  detail?: string,
  organisation?: string,
): { status: number; html: string } {
  const p = PROBLEMS[code];
  return { status: p.status, html: templates().html('problem', { ...p, code, detail, organisation }) };
}

const BUTTONS: { value: ApprovalOutcome; label: string }[] = [
  { value: 'approved', label: 'Approve' },
  { value: 'rejected', label: 'Reject' },
  { value: 'changes_requested', label: 'Request changes' },
];

export interface ConfirmPage {
  organisation: string;
  programmeName: string;
  stepTitle: string;
  gateTitle: string;
  version: number;
  /** The record's own version, when edits made it differ from the version the approver counts. */
  recordVersion?: number;
  sha256: string;
  summary: string[];
  artefactUrl: string;
  approverName: string;
  submittedBy?: string;
  dueAt: string;
  overdue: boolean;
  quorumText?: string;
  intended?: ApprovalOutcome;
  /** Anti-forgery token posted back with the form (api/approval-form.ts). */
  formToken?: string;
  error?: string;
  comment?: string;
}

export function confirmPage(data: ConfirmPage): string {
  // The button of the link that was clicked comes first; the others stay available.
  const buttons = [...BUTTONS]
    .sort((a, b) => Number(b.value === data.intended) - Number(a.value === data.intended))
    .map((b) => ({ ...b, intended: b.value === data.intended }));
  return templates().html('confirm', { ...data, heading: 'Confirm your decision', buttons });
}

const OUTCOME_TEXT: Record<ApprovalOutcome, string> = {
  approved: 'approved',
  rejected: 'rejected',
  changes_requested: 'requested changes to',
};

export function resultPage(data: {
  organisation: string;
  outcome: ApprovalOutcome;
  gateTitle: string;
  version: number;
  approver: string;
  decidedAt: string;
  sha256: string;
  comment?: string;
  quorumText?: string;
}): string {
  return templates().html('result', {
    ...data,
    heading: 'Decision recorded',
    outcomeText: OUTCOME_TEXT[data.outcome],
  });
}
