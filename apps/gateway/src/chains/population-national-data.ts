import type { NationalData } from '@lienthong/chains';
import type { Citizen } from '@lienthong/contracts';
import type { NationalSource } from '@lienthong/domain';
import { AccessPolicy, type Caller } from '@lienthong/security';
import { ProblemException } from '@lienthong/observability';
import { LookupService } from '../lookups/lookup.service';

/** How a chain field names a citizen attribute: `<role>.<attribute>`, the role's ID in `<role>.personalId`. */
const ATTRIBUTES: Readonly<Record<string, (citizen: Partial<Citizen>) => string | undefined>> = {
  fullName: (c) => c.fullName,
  dateOfBirth: (c) => c.dateOfBirth,
  residence: (c) => addressText(c.permanentResidence),
};

type Address = NonNullable<Citizen['permanentResidence']>;

function addressText(address: Address | undefined): string | undefined {
  if (!address) return undefined;
  const parts = [address.detail, address.communeName, address.provinceName].filter(
    (part): part is string => typeof part === 'string' && part !== '',
  );
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/**
 * What a chain reuses from the National Population Database, read through the gateway's own citizen lookup:
 * under the client's citizen.lookup grant (its field scope), purpose DOSSIER_PROCESSING for the parent
 * dossier, cached and audited like any lookup. Other national sources are not wired to chains yet.
 */
export class PopulationNationalData implements NationalData {
  constructor(
    private readonly lookups: LookupService,
    private readonly policy: AccessPolicy,
    private readonly caller: Caller,
  ) {}

  async read(
    source: NationalSource,
    fields: readonly string[],
    application: Readonly<Record<string, string>>,
    ctx: { requestId: string; parentDossierCode: string },
  ): Promise<Record<string, string>> {
    if (source !== 'population') {
      throw new ProblemException(
        501,
        'NATIONAL_SOURCE_NOT_WIRED',
        'National source not available to chains',
        `Chains cannot read from ${source} yet.`,
      );
    }
    const request = { purpose: 'DOSSIER_PROCESSING', dossierCode: ctx.parentDossierCode };
    const access = this.policy.authorize(this.caller, 'citizen.lookup', request);
    const out: Record<string, string> = {};
    const roles = [...new Set(fields.map((field) => field.split('.')[0]))];
    for (const role of roles) {
      const personalId = application[`${role}.personalId`];
      if (!personalId) continue;
      const { data } = await this.lookups.lookupCitizen(
        { personalId, ...request },
        { caller: this.caller, access, requestId: ctx.requestId },
      );
      for (const field of fields.filter((f) => f.startsWith(`${role}.`))) {
        const value = ATTRIBUTES[field.slice(role.length + 1)]?.(data);
        if (value !== undefined) out[field] = value;
      }
    }
    return out;
  }
}
