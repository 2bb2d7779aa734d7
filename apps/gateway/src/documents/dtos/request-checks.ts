import type { ValidationResult } from '@lienthong/domain';
import { ProblemException, type ProblemExtensions, type ProblemFieldError } from '@lienthong/observability';

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Errors and warnings of a domain identifier check, at the field's JSON pointer. */
export function identifierIssues(
  path: string,
  result: ValidationResult,
): { errors: ProblemFieldError[]; warnings: ProblemFieldError[] } {
  return {
    errors: result.errors.map((issue) => ({ path, code: issue.code, message: issue.message })),
    warnings: result.warnings.map((issue) => ({ path, code: issue.code, message: issue.message })),
  };
}

/** A problem whose detail lists the field errors (paths and rules, never the submitted values). */
export function fieldProblem(
  status: number,
  code: string,
  title: string,
  errors: ProblemFieldError[],
  extensions: ProblemExtensions = {},
): ProblemException {
  const detail = errors.map((error) => `${error.path || '/'}: ${error.message}`).join('; ');
  return new ProblemException(status, code, title, detail, errors, {}, extensions);
}

/** Something the caller should know about an accepted request (unsigned document, check-digit warning). */
export interface Notice {
  code: string;
  message: string;
  path?: string;
}
