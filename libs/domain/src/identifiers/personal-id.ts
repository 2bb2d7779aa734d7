import { VIETNAM_UTC_OFFSET_MS, yearOfIsoDate } from '@lienthong/calendar';
import { BIRTH_REGISTRATION_PROVINCES, BirthRegistrationPlace } from './province-codes.data';
import { buildResult, IdentifierIssue, isDigits, issue, ValidationResult } from './validation-result.types';

/**
 * Personal ID number (số định danh cá nhân, printed on the CCCD card): 12 digits `PPP G YY RRRRRR`.
 * - PPP: where the birth was registered (Circular 07/2016/TT-BCA, appendix 1).
 * - G: century and sex — 1900s: 0 male / 1 female; 2000s: 2/3; 2100s: 4/5; 2200s: 6/7; 2300s: 8/9.
 * - YY: last two digits of the birth year.
 * - RRRRRR: random; no check digit is published, so none is verified.
 */

export type Sex = 'MALE' | 'FEMALE';

export interface PersonalIdKnownFacts {
  /** Date of birth as YYYY-MM-DD. */
  dateOfBirth?: string;
  sex?: Sex;
}

export interface PersonalIdValidationOptions {
  /** Date against which a birth year "in the future" is detected; defaults to now (Vietnam time). */
  referenceDate?: Date;
}

export interface ParsedPersonalId {
  /** 3-digit birth-registration code (PPP). */
  provinceCode: string;
  /** Name of the birth-registration place, when the code is known. */
  provinceName?: string;
  /** First year of the birth century encoded by G: 1900, 2000, 2100, 2200 or 2300. */
  century: number;
  sex: Sex;
  /** YY as printed, e.g. "05". */
  birthYearTwoDigits: string;
  /** century + YY, e.g. 2005. */
  birthYear: number;
}

export const PERSONAL_ID_LENGTH = 12;
export const LEGACY_ID_CARD_LENGTH = 9;

// ---------------------------------------------------------------------------------------------------------
// Birth-registration code registry
// ---------------------------------------------------------------------------------------------------------

const BUILT_IN_CODES: ReadonlyMap<string, BirthRegistrationPlace> = new Map(
  BIRTH_REGISTRATION_PROVINCES.map((p) => [p.code, p]),
);

/**
 * Codes added at run time. Births registered abroad get a country code in the PPP position (docs/domain.md), but the
 * actual values are not confirmed by any public source we trust, so none is built in: a deployment that meets
 * such numbers registers the codes it has verified (from configuration) at start-up.
 */
const extraCodes = new Map<string, BirthRegistrationPlace>();

/**
 * Adds a birth-registration code (e.g. a country code for births registered abroad). Idempotent for the same
 * code and name; throws when the code is malformed or already means something else.
 */
export function registerBirthRegistrationCode(code: string, name: string): void {
  if (!/^[0-9]{3}$/.test(code)) {
    throw new RangeError(`A birth-registration code has 3 digits, got "${code}"`);
  }
  if (name.trim() === '') {
    throw new RangeError(`Birth-registration code ${code} needs a name`);
  }
  const existing = BUILT_IN_CODES.get(code) ?? extraCodes.get(code);
  if (existing) {
    if (existing.name === name) return;
    throw new Error(`Birth-registration code ${code} is already registered as "${existing.name}"`);
  }
  extraCodes.set(code, Object.freeze({ code, name }));
}

/** Removes a code added with `registerBirthRegistrationCode`; built-in codes cannot be removed. */
export function unregisterBirthRegistrationCode(code: string): boolean {
  return extraCodes.delete(code);
}

export function findBirthRegistrationPlace(code: string): BirthRegistrationPlace | undefined {
  return BUILT_IN_CODES.get(code) ?? extraCodes.get(code);
}

export function isKnownBirthRegistrationCode(code: string): boolean {
  return findBirthRegistrationPlace(code) !== undefined;
}

/** Built-in and registered codes, sorted by code. */
export function listBirthRegistrationPlaces(): BirthRegistrationPlace[] {
  return [...BUILT_IN_CODES.values(), ...extraCodes.values()].sort((a, b) => a.code.localeCompare(b.code));
}

// ---------------------------------------------------------------------------------------------------------
// Parsing and validation
// ---------------------------------------------------------------------------------------------------------

/**
 * Splits a 12-digit personal ID into its parts. Returns null when the value is not 12 ASCII digits; does not
 * check the province (see `validatePersonalId`).
 */
export function parsePersonalId(value: string): ParsedPersonalId | null {
  if (typeof value !== 'string' || value.length !== PERSONAL_ID_LENGTH || !isDigits(value)) return null;
  const provinceCode = value.slice(0, 3);
  const g = Number(value[3]);
  const birthYearTwoDigits = value.slice(4, 6);
  const century = 1900 + 100 * Math.floor(g / 2);
  return {
    provinceCode,
    provinceName: findBirthRegistrationPlace(provinceCode)?.name,
    century,
    sex: g % 2 === 0 ? 'MALE' : 'FEMALE',
    birthYearTwoDigits,
    birthYear: century + Number(birthYearTwoDigits),
  };
}

/**
 * Validates a personal ID number and, when the date of birth or sex is known from the same record, checks that
 * the number agrees with them. A malformed known fact is reported as a warning (the number itself is not shown
 * to be wrong), and the corresponding consistency check is skipped.
 */
export function validatePersonalId(
  value: string,
  known: PersonalIdKnownFacts = {},
  options: PersonalIdValidationOptions = {},
): ValidationResult {
  const errors: IdentifierIssue[] = [];
  const warnings: IdentifierIssue[] = [];

  if (typeof value !== 'string' || value.length === 0) {
    return buildResult([issue('PERSONAL_ID_EMPTY', 'Personal ID is empty')]);
  }
  if (!isDigits(value)) {
    errors.push(
      issue(
        'PERSONAL_ID_NOT_DIGITS',
        'Personal ID must contain digits 0-9 only (no letters, spaces or dashes)',
      ),
    );
  }
  if (value.length !== PERSONAL_ID_LENGTH) {
    const hint =
      value.length === LEGACY_ID_CARD_LENGTH && isDigits(value)
        ? '; a 9-digit number is a legacy ID card (CMND), usable only as an alternate identifier'
        : '';
    errors.push(
      issue(
        'PERSONAL_ID_LENGTH',
        `Personal ID must have ${PERSONAL_ID_LENGTH} digits, got ${value.length}${hint}`,
      ),
    );
  }
  if (errors.length > 0) return buildResult(errors);

  const parsed = parsePersonalId(value) as ParsedPersonalId;

  if (!isKnownBirthRegistrationCode(parsed.provinceCode)) {
    errors.push(
      issue(
        'PERSONAL_ID_UNKNOWN_PROVINCE',
        `Personal ID starts with ${parsed.provinceCode}, which is not a known birth-registration code`,
      ),
    );
  }

  const referenceYear = vietnamYear(options.referenceDate ?? new Date());
  if (parsed.birthYear > referenceYear) {
    errors.push(
      issue(
        'PERSONAL_ID_BIRTH_YEAR_IN_FUTURE',
        `Personal ID encodes birth year ${parsed.birthYear}, after ${referenceYear}`,
      ),
    );
  }

  if (known.dateOfBirth !== undefined) {
    const birthYear = yearOfIsoDate(known.dateOfBirth);
    if (birthYear === null) {
      warnings.push(
        issue(
          'PERSONAL_ID_KNOWN_DATE_OF_BIRTH_INVALID',
          `Date of birth "${known.dateOfBirth}" is not a valid YYYY-MM-DD date; consistency not checked`,
        ),
      );
    } else {
      const knownCentury = Math.floor(birthYear / 100) * 100;
      if (knownCentury !== parsed.century) {
        errors.push(
          issue(
            'PERSONAL_ID_CENTURY_MISMATCH',
            `Personal ID century digit ${value[3]} means born ${parsed.century}–${parsed.century + 99}, ` +
              `but the date of birth is ${known.dateOfBirth}`,
          ),
        );
      }
      if (birthYear % 100 !== Number(parsed.birthYearTwoDigits)) {
        errors.push(
          issue(
            'PERSONAL_ID_YEAR_MISMATCH',
            `Personal ID birth-year digits ${parsed.birthYearTwoDigits} do not match the date of birth ${known.dateOfBirth}`,
          ),
        );
      }
    }
  }

  if (known.sex !== undefined) {
    if (known.sex !== 'MALE' && known.sex !== 'FEMALE') {
      warnings.push(
        issue(
          'PERSONAL_ID_KNOWN_SEX_INVALID',
          `Sex "${String(known.sex)}" is not MALE or FEMALE; not checked`,
        ),
      );
    } else if (known.sex !== parsed.sex) {
      errors.push(
        issue(
          'PERSONAL_ID_SEX_MISMATCH',
          `Personal ID digit ${value[3]} encodes ${parsed.sex}, but the record says ${known.sex}`,
        ),
      );
    }
  }

  return buildResult(errors, warnings);
}

/** A legacy 9-digit ID card number (CMND): accepted as an alternate identifier, never as a person's key. */
export function isLegacyIdCard(value: string): boolean {
  return typeof value === 'string' && value.length === LEGACY_ID_CARD_LENGTH && isDigits(value);
}

function vietnamYear(date: Date): number {
  return new Date(date.getTime() + VIETNAM_UTC_OFFSET_MS).getUTCFullYear();
}
