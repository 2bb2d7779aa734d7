import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';
import { validateCommuneCode, validateProvinceCode } from '../identifiers/admin-unit';
import { validateAgencyCode, validateDossierCode } from '../identifiers/dossier-code';
import { validateEnterpriseCode } from '../identifiers/enterprise-code';
import { PersonalIdKnownFacts, validatePersonalId } from '../identifiers/personal-id';
import { ValidationResult } from '../identifiers/validation-result.types';

/**
 * class-validator decorators for the domain identifiers. Each runs the same validator as the use cases, fails on
 * errors only (warnings never fail validation) and puts the issue codes in the message, e.g.
 * `holderId: PERSONAL_ID_LENGTH — Personal ID must have 12 digits, got 11`. A value that is not a string fails
 * with `<NAME>_NOT_A_STRING`.
 */

type Check = (value: string, args: ValidationArguments) => ValidationResult;

function domainDecorator(
  name: string,
  notStringCode: string,
  check: Check,
  validationOptions?: ValidationOptions,
) {
  return (object: object, propertyName: string): void => {
    registerDecorator({
      name,
      target: object.constructor,
      propertyName,
      options: validationOptions,
      validator: {
        validate(value: unknown, args: ValidationArguments): boolean {
          return typeof value === 'string' && check(value, args).valid;
        },
        defaultMessage(args: ValidationArguments): string {
          // With { each: true } class-validator validates each element but hands the whole collection here.
          const values = validationOptions?.each ? elementsOf(args.value) : [args.value];
          const problems = values.flatMap((value) => {
            if (typeof value !== 'string') return [`${notStringCode} — expected a string`];
            return check(value, args).errors.map((e) => `${e.code} — ${e.message}`);
          });
          return `${args.property}: ${problems.join('; ')}`;
        },
      },
    });
  };
}

function elementsOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value instanceof Set) return [...value];
  if (value instanceof Map) return [...value.values()];
  return [value];
}

export interface IsPersonalIdOptions {
  /** Sibling property holding the date of birth (YYYY-MM-DD string) to check the number against. */
  dateOfBirthProperty?: string;
  /** Sibling property holding the sex ('MALE' | 'FEMALE') to check the number against. */
  sexProperty?: string;
}

export function IsPersonalId(options: IsPersonalIdOptions = {}, validationOptions?: ValidationOptions) {
  return domainDecorator(
    'isPersonalId',
    'PERSONAL_ID_NOT_A_STRING',
    (value, args) => {
      const object = args.object as Record<string, unknown>;
      const known: PersonalIdKnownFacts = {};
      const dob = options.dateOfBirthProperty ? object[options.dateOfBirthProperty] : undefined;
      const sex = options.sexProperty ? object[options.sexProperty] : undefined;
      if (typeof dob === 'string') known.dateOfBirth = dob;
      if (sex === 'MALE' || sex === 'FEMALE') known.sex = sex;
      return validatePersonalId(value, known);
    },
    validationOptions,
  );
}

export function IsEnterpriseCode(validationOptions?: ValidationOptions) {
  return domainDecorator(
    'isEnterpriseCode',
    'ENTERPRISE_CODE_NOT_A_STRING',
    (value) => validateEnterpriseCode(value),
    validationOptions,
  );
}

export function IsDossierCode(validationOptions?: ValidationOptions) {
  return domainDecorator(
    'isDossierCode',
    'DOSSIER_CODE_NOT_A_STRING',
    (value) => validateDossierCode(value),
    validationOptions,
  );
}

export function IsAgencyCode(validationOptions?: ValidationOptions) {
  return domainDecorator(
    'isAgencyCode',
    'AGENCY_CODE_NOT_A_STRING',
    (value) => validateAgencyCode(value),
    validationOptions,
  );
}

export function IsProvinceCode(
  options: { allowLegacy?: boolean } = {},
  validationOptions?: ValidationOptions,
) {
  return domainDecorator(
    'isProvinceCode',
    'PROVINCE_CODE_NOT_A_STRING',
    (value) => validateProvinceCode(value, options),
    validationOptions,
  );
}

export function IsCommuneCode(validationOptions?: ValidationOptions) {
  return domainDecorator(
    'isCommuneCode',
    'COMMUNE_CODE_NOT_A_STRING',
    (value) => validateCommuneCode(value),
    validationOptions,
  );
}
