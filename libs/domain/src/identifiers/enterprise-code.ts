import { buildResult, IdentifierIssue, isDigits, issue, ValidationResult } from './validation-result.types';

/**
 * Enterprise code (mã số doanh nghiệp) — also the tax code and the social-insurance unit code, never reused.
 * - Enterprise: 10 digits N1..N10, N10 a check digit.
 * - Dependent unit (branch, representative office): `N1..N10-N11N12N13`, suffix 001–999, where N1..N10 is the
 *   parent enterprise's code.
 *
 * Check digit (reverse-engineered, widely used): weights (31,29,23,19,17,13,7,5,3) over N1..N9,
 * N10 = 10 − (Σ wᵢ·Nᵢ mod 11). Since Σ mod 11 lies in 0..10, 10 − r lies in 0..10; when r = 0 the formula asks
 * for "10", which no single digit can hold, so no 10-digit code with that prefix can pass. Some real codes
 * predate the rule, so a failed check is a warning on the record, never a rejection.
 */

export type EnterpriseCodeKind = 'ENTERPRISE' | 'DEPENDENT_UNIT';

export interface EnterpriseCodeValidationResult extends ValidationResult {
  /** Set when the shape is recognised (even if other errors exist). */
  kind?: EnterpriseCodeKind;
  /** The 10-digit code of the enterprise itself (for an enterprise, the code; for a unit, its parent). */
  parentCode?: string;
  /** 3-digit suffix of a dependent unit. */
  unitSuffix?: string;
}

export const ENTERPRISE_CHECK_WEIGHTS: readonly number[] = Object.freeze([31, 29, 23, 19, 17, 13, 7, 5, 3]);

const ENTERPRISE_PATTERN = /^[0-9]{10}$/;
const DEPENDENT_UNIT_PATTERN = /^([0-9]{10})-([0-9]{3})$/;

/**
 * Check digit for the first nine digits of an enterprise code, or null when the formula yields 10 (no digit
 * exists; a generator must pick another prefix). Throws on input that is not exactly nine digits.
 */
export function computeEnterpriseCheckDigit(first9: string): number | null {
  if (typeof first9 !== 'string' || first9.length !== 9 || !isDigits(first9)) {
    throw new RangeError(`Expected the first 9 digits of an enterprise code, got "${first9}"`);
  }
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += ENTERPRISE_CHECK_WEIGHTS[i] * Number(first9[i]);
  const digit = 10 - (sum % 11);
  return digit <= 9 ? digit : null;
}

export function validateEnterpriseCode(value: string): EnterpriseCodeValidationResult {
  if (typeof value !== 'string' || value.length === 0) {
    return buildResult([issue('ENTERPRISE_CODE_EMPTY', 'Enterprise code is empty')]);
  }

  let kind: EnterpriseCodeKind;
  let parentCode: string;
  let unitSuffix: string | undefined;
  const errors: IdentifierIssue[] = [];

  const unit = DEPENDENT_UNIT_PATTERN.exec(value);
  if (ENTERPRISE_PATTERN.test(value)) {
    kind = 'ENTERPRISE';
    parentCode = value;
  } else if (unit) {
    kind = 'DEPENDENT_UNIT';
    parentCode = unit[1];
    unitSuffix = unit[2];
    if (unitSuffix === '000') {
      errors.push(issue('ENTERPRISE_CODE_UNIT_SUFFIX', 'Dependent-unit suffix must be 001–999, got 000'));
    }
  } else {
    const hint =
      value.length === 13 && isDigits(value)
        ? '; a dependent unit is written with a dash: NNNNNNNNNN-NNN'
        : '';
    return buildResult([
      issue(
        'ENTERPRISE_CODE_FORMAT',
        `Enterprise code must be 10 digits or 10 digits, a dash and 3 digits (got "${value}")${hint}`,
      ),
    ]);
  }

  const warnings: IdentifierIssue[] = [];
  const expected = computeEnterpriseCheckDigit(parentCode.slice(0, 9));
  if (expected === null) {
    warnings.push(
      issue(
        'ENTERPRISE_CODE_CHECK_DIGIT',
        `No check digit exists for prefix ${parentCode.slice(0, 9)} (the formula yields 10); code predates the rule or is wrong`,
      ),
    );
  } else if (expected !== Number(parentCode[9])) {
    warnings.push(
      issue(
        'ENTERPRISE_CODE_CHECK_DIGIT',
        `Check digit of ${parentCode} should be ${expected}, got ${parentCode[9]}`,
      ),
    );
  }

  return { ...buildResult(errors, warnings), kind, parentCode, unitSuffix };
}

/** A 5-digit business-location code (mã số địa điểm kinh doanh); these are not tax codes. */
export function isBusinessLocationCode(value: string): boolean {
  return typeof value === 'string' && value.length === 5 && isDigits(value);
}
