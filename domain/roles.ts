/**
 * Who may call what. Every API route declares its `access`; the authentication middleware
 * enforces it and the OpenAPI document publishes it, so the two cannot drift apart.
 */
export const ROLES = ['admin', 'programme-manager', 'contributor', 'auditor', 'operator'] as const;
export type Role = (typeof ROLES)[number];

/**
 * `public`: no credentials (liveness, the API description).
 * `approval-link`: no API key, but the signed single-decision token in the link is the credential.
 * A role list: a bearer API key whose role is in the list.
 */
export type RouteAccess = 'public' | 'approval-link' | readonly Role[];

/** Reads of programme records: everyone who works on or audits the programme. */
export const READERS: readonly Role[] = ['admin', 'programme-manager', 'contributor', 'auditor'];
/** Steering a programme: starting it, scoping, decisions at gates, certification records. */
export const STEERS: readonly Role[] = ['admin', 'programme-manager'];
/** Day-to-day contributions: assessments, tasks, evidence, audit findings and their actions. */
export const CONTRIBUTES: readonly Role[] = ['admin', 'programme-manager', 'contributor'];
/** Health, readiness and metrics. */
export const OPERATES: readonly Role[] = ['admin', 'operator'];
/** Key management and service configuration. */
export const ADMINISTERS: readonly Role[] = ['admin'];

/** Who did something, as recorded with what they did (audit trail, decisions). */
export interface Actor {
  /** API key id, approver e-mail address, or `system` for the workflows' own steps. */
  id: string;
  role: Role | 'approver' | 'anonymous' | 'system';
  /** For an API key: the person who holds it, when the key names one. */
  holder?: string;
  /** For an API key: it may record decisions approvers made elsewhere, on their behalf. */
  recordsForOthers?: boolean;
}

export const ANONYMOUS: Actor = { id: 'anonymous', role: 'anonymous' };
