import { isRealDate } from '@lienthong/calendar';
import { buildResult, IdentifierIssue, isDigits, issue, ValidationResult } from './validation-result.types';

/**
 * Dossier code (mã hồ sơ, Circular 01/2018/TT-VPCP art. 19): `<agency code>-YYMMDD-XXXX`.
 * - agency code: as issued under Decision 20/2020/QĐ-TTg — characters [0-9A-Z.], dot-separated non-empty
 *   groups, at most 35 characters (e.g. `000.17.22.H56`);
 * - YYMMDD: the receipt date (20YY), a real calendar date;
 * - XXXX: the day's sequence number, 0001–9999. 0000 is rejected: the sequence counts dossiers received that
 *   day starting at 1, and no one-stop system is known to issue 0000.
 * The one-stop system generates the code; the gateway validates it and never invents one.
 */

export const AGENCY_CODE_MAX_LENGTH = 35;

export interface ParsedDossierCode {
  agencyCode: string;
  /** Receipt date as YYYY-MM-DD (century 20). */
  receiptDate: string;
  /** Sequence number of the day, 1–9999. */
  sequence: number;
}

export function validateAgencyCode(value: string): ValidationResult {
  if (typeof value !== 'string' || value.length === 0) {
    return buildResult([issue('AGENCY_CODE_EMPTY', 'Agency code is empty')]);
  }
  const errors: IdentifierIssue[] = [];
  if (value.length > AGENCY_CODE_MAX_LENGTH) {
    errors.push(
      issue(
        'AGENCY_CODE_TOO_LONG',
        `Agency code has ${value.length} characters, at most ${AGENCY_CODE_MAX_LENGTH}`,
      ),
    );
  }
  if (!/^[0-9A-Z.]+$/.test(value)) {
    const hint = /^[0-9A-Za-z.]+$/.test(value) ? ' (letters must be upper case)' : '';
    errors.push(issue('AGENCY_CODE_CHARACTERS', `Agency code may contain only 0-9, A-Z and dots${hint}`));
  }
  if (value.split('.').some((group) => group.length === 0)) {
    errors.push(
      issue(
        'AGENCY_CODE_EMPTY_GROUP',
        'Agency code groups must be non-empty (no leading, trailing or double dot)',
      ),
    );
  }
  return buildResult(errors);
}

export function validateDossierCode(value: string): ValidationResult {
  return inspect(value).result;
}

/** Parts of a valid dossier code, or null when the code is invalid. */
export function parseDossierCode(value: string): ParsedDossierCode | null {
  return inspect(value).parsed;
}

function inspect(value: string): { result: ValidationResult; parsed: ParsedDossierCode | null } {
  const fail = (errors: IdentifierIssue[]) => ({ result: buildResult(errors), parsed: null });

  if (typeof value !== 'string' || value.length === 0) {
    return fail([issue('DOSSIER_CODE_EMPTY', 'Dossier code is empty')]);
  }
  const parts = value.split('-');
  if (parts.length !== 3) {
    return fail([
      issue('DOSSIER_CODE_FORMAT', `Dossier code must be <agency code>-YYMMDD-XXXX, got "${value}"`),
    ]);
  }
  const [agencyCode, datePart, sequencePart] = parts;
  const errors: IdentifierIssue[] = [...validateAgencyCode(agencyCode).errors];

  let receiptDate: string | undefined;
  if (datePart.length !== 6 || !isDigits(datePart)) {
    errors.push(issue('DOSSIER_CODE_DATE', `Receipt date must be 6 digits YYMMDD, got "${datePart}"`));
  } else {
    const [yy, mm, dd] = [datePart.slice(0, 2), datePart.slice(2, 4), datePart.slice(4, 6)];
    if (!isRealDate(2000 + Number(yy), Number(mm), Number(dd))) {
      errors.push(issue('DOSSIER_CODE_DATE', `Receipt date ${datePart} is not a real calendar date`));
    } else {
      receiptDate = `20${yy}-${mm}-${dd}`;
    }
  }

  if (sequencePart.length !== 4 || !isDigits(sequencePart)) {
    errors.push(issue('DOSSIER_CODE_SEQUENCE', `Sequence must be 4 digits, got "${sequencePart}"`));
  } else if (sequencePart === '0000') {
    errors.push(issue('DOSSIER_CODE_SEQUENCE', 'Sequence starts at 0001; 0000 is not issued'));
  }

  if (errors.length > 0 || receiptDate === undefined) return fail(errors);
  return {
    result: buildResult([]),
    parsed: { agencyCode, receiptDate, sequence: Number(sequencePart) },
  };
}
