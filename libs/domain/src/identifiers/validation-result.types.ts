/**
 * Outcome of validating an identifier. `valid` is false as soon as there is one error; warnings never make a
 * value invalid (they are recorded on the record, e.g. an enterprise code whose check digit does not match).
 */
export interface IdentifierIssue {
  /** Stable UPPER_SNAKE code, safe to match on and to store. */
  code: string;
  /** Human-readable explanation; wording may change, the code does not. */
  message: string;
}

export interface ValidationResult {
  valid: boolean;
  errors: IdentifierIssue[];
  warnings: IdentifierIssue[];
}

export function buildResult(errors: IdentifierIssue[], warnings: IdentifierIssue[] = []): ValidationResult {
  return { valid: errors.length === 0, errors, warnings };
}

export function issue(code: string, message: string): IdentifierIssue {
  return { code, message };
}

/** True for a string made of ASCII digits only (no sign, no whitespace, no full-width digits). */
export function isDigits(value: string): boolean {
  return /^[0-9]+$/.test(value);
}
