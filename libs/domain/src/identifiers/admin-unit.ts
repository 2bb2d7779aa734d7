import { LEGACY_PROVINCES, PROVINCES, ProvinceEntry } from './province-codes.data';
import { buildResult, IdentifierIssue, isDigits, issue, ValidationResult } from './validation-result.types';

/**
 * Administrative-unit codes.
 * - Current scheme (since 1 July 2025, Decision 19/2025/QĐ-TTg): 34 provinces with 2-digit codes and 3,321
 *   communes with 5-digit codes; no district level.
 * - Legacy 2004 scheme: province 2 digits (63 provinces), district 3 digits, commune 5 digits.
 * The canonical model carries the current two-level codes and keeps the legacy codes when an upstream gives
 * them. Without the full commune list, a commune code is checked for shape only (5 digits, not 00000), and
 * not for membership of its province.
 */

export type AdminCodeScheme = 'CURRENT' | 'LEGACY';

export interface ProvinceCodeValidationResult extends ValidationResult {
  /** Scheme the code was accepted under. */
  scheme?: AdminCodeScheme;
  province?: ProvinceEntry;
}

export interface ProvinceCodeOptions {
  /** Accept a code that exists only in the 2004 list (with a PROVINCE_CODE_LEGACY warning). Default false. */
  allowLegacy?: boolean;
}

export interface LegacyAdminUnitCodes {
  provinceCode?: string;
  districtCode?: string;
  communeCode?: string;
}

export interface AdminUnitCodes {
  provinceCode: string;
  communeCode: string;
  legacy?: LegacyAdminUnitCodes;
}

const CURRENT_BY_CODE: ReadonlyMap<string, ProvinceEntry> = new Map(PROVINCES.map((p) => [p.code, p]));
const LEGACY_BY_CODE: ReadonlyMap<string, ProvinceEntry> = new Map(LEGACY_PROVINCES.map((p) => [p.code, p]));

export function findProvince(code: string): ProvinceEntry | undefined {
  return CURRENT_BY_CODE.get(code);
}

export function findLegacyProvince(code: string): ProvinceEntry | undefined {
  return LEGACY_BY_CODE.get(code);
}

/**
 * Validates a 2-digit province code against the current list. A code of the current list is always accepted as
 * CURRENT, even if it also existed in 2004 (possibly naming a different territory). A code that exists only in
 * the 2004 list is an error (PROVINCE_CODE_SUPERSEDED) unless `allowLegacy`, then a warning.
 */
export function validateProvinceCode(
  code: string,
  options: ProvinceCodeOptions = {},
): ProvinceCodeValidationResult {
  const shape = checkShape(code, 2, 'PROVINCE_CODE', false);
  if (shape.length > 0) return buildResult(shape);

  const current = CURRENT_BY_CODE.get(code);
  if (current) return { ...buildResult([]), scheme: 'CURRENT', province: current };

  const legacy = LEGACY_BY_CODE.get(code);
  if (legacy) {
    if (options.allowLegacy) {
      return {
        ...buildResult(
          [],
          [
            issue(
              'PROVINCE_CODE_LEGACY',
              `Province code ${code} (${legacy.name}) exists only in the 2004 scheme`,
            ),
          ],
        ),
        scheme: 'LEGACY',
        province: legacy,
      };
    }
    return buildResult([
      issue(
        'PROVINCE_CODE_SUPERSEDED',
        `Province code ${code} (${legacy.name}) was merged on 1 July 2025 and is no longer a current code`,
      ),
    ]);
  }
  return buildResult([issue('PROVINCE_CODE_UNKNOWN', `Province code ${code} is not a known province`)]);
}

/** Validates a legacy 2004 province code (the 63-province list). */
export function validateLegacyProvinceCode(code: string): ProvinceCodeValidationResult {
  const shape = checkShape(code, 2, 'PROVINCE_CODE', false);
  if (shape.length > 0) return buildResult(shape);
  const legacy = LEGACY_BY_CODE.get(code);
  if (!legacy) {
    return buildResult([issue('PROVINCE_CODE_UNKNOWN', `Province code ${code} is not in the 2004 list`)]);
  }
  return { ...buildResult([]), scheme: 'LEGACY', province: legacy };
}

/** 5-digit commune code (both schemes); 00000 is not a commune. */
export function validateCommuneCode(code: string): ValidationResult {
  return buildResult(checkShape(code, 5, 'COMMUNE_CODE'));
}

/** 3-digit district code of the 2004 scheme; 000 is not a district. */
export function validateLegacyDistrictCode(code: string): ValidationResult {
  return buildResult(checkShape(code, 3, 'DISTRICT_CODE'));
}

/**
 * Validates the current codes of an administrative unit and, when present, its legacy codes. Issues from the
 * legacy part carry a LEGACY_ prefix (e.g. LEGACY_PROVINCE_CODE_UNKNOWN) so the two can be told apart.
 */
export function validateAdminUnit(unit: AdminUnitCodes): ValidationResult {
  const errors: IdentifierIssue[] = [];
  const warnings: IdentifierIssue[] = [];
  const add = (r: ValidationResult, prefix = '') => {
    errors.push(...r.errors.map((i) => ({ ...i, code: prefix + i.code })));
    warnings.push(...r.warnings.map((i) => ({ ...i, code: prefix + i.code })));
  };

  add(validateProvinceCode(unit?.provinceCode));
  add(validateCommuneCode(unit?.communeCode));

  const legacy = unit?.legacy;
  if (legacy) {
    if (legacy.provinceCode !== undefined) add(validateLegacyProvinceCode(legacy.provinceCode), 'LEGACY_');
    if (legacy.districtCode !== undefined) add(validateLegacyDistrictCode(legacy.districtCode), 'LEGACY_');
    if (legacy.communeCode !== undefined) add(validateCommuneCode(legacy.communeCode), 'LEGACY_');
  }
  return buildResult(errors, warnings);
}

function checkShape(code: string, length: number, prefix: string, rejectAllZeros = true): IdentifierIssue[] {
  const label = prefix.toLowerCase().replace('_', ' ');
  if (typeof code !== 'string' || code.length === 0) {
    return [issue(`${prefix}_EMPTY`, `${capitalise(label)} is empty`)];
  }
  if (code.length !== length || !isDigits(code)) {
    return [issue(`${prefix}_FORMAT`, `${capitalise(label)} must be ${length} digits, got "${code}"`)];
  }
  if (rejectAllZeros && /^0+$/.test(code)) {
    return [issue(`${prefix}_FORMAT`, `${capitalise(label)} ${code} is not assigned to any unit`)];
  }
  return [];
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
