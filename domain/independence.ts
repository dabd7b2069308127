/**
 * Auditor independence (clause 9.2.2 objectivity): an auditor must not audit their own work,
 * so the requirements they are responsible for may not overlap the audit's scope. Imports
 * nothing, so the request schemas and the workflow rules share it.
 */

/** Requirement ids both in the audit scope and among the auditor's responsibilities. */
export function independenceConflict(scope: readonly string[], responsibleFor: readonly string[]): string[] {
  const own = new Set(responsibleFor);
  return [...new Set(scope.filter((id) => own.has(id)))];
}

export function independenceRejection(
  auditor: string,
  scope: readonly string[],
  responsibleFor: readonly string[],
): string | null {
  const conflict = independenceConflict(scope, responsibleFor);
  return conflict.length === 0
    ? null
    : `${auditor} is not independent of this audit: they are responsible for ${conflict.join(', ')}, which it covers (an auditor must not audit their own work)`;
}
