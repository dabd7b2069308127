/** A person the programme names: an approver, an owner, someone to tell. */
export interface Person {
  name: string;
  email: string;
}

/** The people given, without gaps and with each e-mail address once (case-insensitive). */
export function distinctPeople(...candidates: (Person | undefined)[]): Person[] {
  const seen = new Set<string>();
  return candidates.filter((p): p is Person => {
    if (!p || seen.has(p.email.toLowerCase())) return false;
    seen.add(p.email.toLowerCase());
    return true;
  });
}

export const sameEmail = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();
