import { validateAgencyCode } from '../identifiers/dossier-code';

/**
 * What a ministry's copy of a dossier event may carry beyond what it always carries (routing, status and
 * indicator fields, the applicant's kind and pseudonym). Nothing is granted by default.
 * - `applicant.personalId`: the applicant's personal ID instead of the pseudonym of it;
 * - `applicant.enterpriseCode`: the applicant's enterprise code instead of the pseudonym of it;
 * - `handler`: name, position and department of the official who performed the step;
 * - `note`: the free-text processing note (it can carry personal data by mistake);
 * - `rating`: the applicant's satisfaction rating.
 */
export const MINISTRY_GRANTS = [
  'applicant.personalId',
  'applicant.enterpriseCode',
  'handler',
  'note',
  'rating',
] as const;
export type MinistryGrant = (typeof MINISTRY_GRANTS)[number];

interface MinistryEntry {
  name: string;
  /** The ministry's SASL/SCRAM user name, when it is not the slug itself (the default convention). */
  kafkaPrincipal?: string;
  /** Granted for every event routed to the ministry. */
  receives?: MinistryGrant[];
}
interface SectorEntry {
  name: string;
  ministry: string;
  /** Granted, on top of the ministry's own grants, for the events routed by this sector. */
  receives?: MinistryGrant[];
}

/** One administrative procedure (TTHC) of the catalogue. */
export interface ProcedureEntry {
  name: string;
  sector: string;
  /**
   * Whether a dossier of this procedure may be received anywhere in the province and handed over to the
   * competent agency ("tiếp nhận không phụ thuộc vào địa giới hành chính"). False when absent.
   */
  nonBoundary?: boolean;
  /** Agency codes of the agencies that resolve the procedure (the catalogue's competent agencies). */
  competentAgencies?: string[];
}

const PROCEDURE_KEYS = ['name', 'sector', 'nonBoundary', 'competentAgencies'];

interface CatalogueFile {
  ministries: Record<string, MinistryEntry>;
  sectors: Record<string, SectorEntry>;
  procedures: Record<string, ProcedureEntry>;
  /** Agency code → the agency's name, as the national portal shows it (DonViXuLy). Optional. */
  agencies?: Record<string, string>;
  /**
   * Branch code (MaNganh of the national catalogue's sectors) → ministry slug: how a sector synced from the
   * national catalogue finds its ministry. Optional; a synced sector whose branch is not listed routes nothing.
   */
  branches?: Record<string, string>;
}

/** What a sync of the national procedure catalogue holds, as the store keeps it. */
export interface SyncedCatalogue {
  sectors: readonly { code: string; name: string; branchCode?: string | null }[];
  procedures: readonly {
    code: string;
    name: string;
    sectorCode?: string | null;
    nonBoundary?: boolean;
    competentAgencies?: readonly string[];
  }[];
  agencies: readonly { code: string; name: string }[];
}

export interface Route {
  ministry: string;
  sectorCode: string;
  sectorName: string;
  procedureName?: string;
  /** What the ministry's copy may carry for this event: the ministry's grants and the sector's. */
  grants: ReadonlySet<MinistryGrant>;
}

export class CatalogueError extends Error {
  override readonly name = 'CatalogueError';
}

const MINISTRY_KEYS = ['name', 'receives', 'kafkaPrincipal'];
const SECTOR_KEYS = ['name', 'ministry', 'receives'];

/** Problems of an entry's `receives` list, each naming where it is and what is allowed. */
function grantProblems(where: string, receives: unknown): string[] {
  if (receives === undefined || receives === null) return [];
  if (!Array.isArray(receives)) {
    return [`${where}: receives must be a list of grants (${MINISTRY_GRANTS.join(', ')})`];
  }
  const problems: string[] = [];
  const seen = new Set<unknown>();
  for (const grant of receives) {
    if (!MINISTRY_GRANTS.includes(grant as MinistryGrant)) {
      problems.push(
        `${where}: receives names unknown grant ${JSON.stringify(grant)} (known: ${MINISTRY_GRANTS.join(', ')})`,
      );
    } else if (seen.has(grant)) {
      problems.push(`${where}: receives names ${String(grant)} twice`);
    }
    seen.add(grant);
  }
  return problems;
}

function unknownKeys(where: string, entry: unknown, allowed: readonly string[]): string[] {
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return [`${where} must be a mapping`];
  return Object.keys(entry)
    .filter((key) => !allowed.includes(key))
    .map((key) => `${where}: unknown key "${key}" (allowed: ${allowed.join(', ')})`);
}

/**
 * deploy/config/procedures.yaml: procedure code → sector → governing ministry, and what each ministry's
 * copy may carry (`receives`, per ministry and per sector). Checked at load so a sector naming an unknown
 * ministry, a procedure an unknown sector, or a misspelt grant stops the relay at start.
 */
export class ProcedureCatalogue {
  private grants = new Map<string, ReadonlySet<MinistryGrant>>();

  private constructor(private file: CatalogueFile) {
    for (const [code, sector] of Object.entries(file.sectors)) {
      const ministry = file.ministries[sector.ministry];
      this.grants.set(code, new Set([...(ministry.receives ?? []), ...(sector.receives ?? [])]));
    }
  }

  /**
   * Checks a parsed catalogue document (procedures.yaml, read by `readConfigDocument` of @lienthong/config)
   * and builds the catalogue; every problem is listed at once, under `source` (the file's path).
   */
  static fromDocument(document: unknown, source = 'procedure catalogue'): ProcedureCatalogue {
    const file = document as Partial<CatalogueFile>;
    const problems: string[] = [];
    if (!file || typeof file !== 'object' || !file.ministries || !file.sectors || !file.procedures) {
      throw new CatalogueError(`${source}: needs ministries, sectors and procedures`);
    }
    for (const [slug, ministry] of Object.entries(file.ministries)) {
      if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(slug))
        problems.push(`ministry "${slug}" is not a lower-case slug`);
      const where = `ministry ${slug}`;
      const shape = unknownKeys(where, ministry, MINISTRY_KEYS);
      problems.push(...shape);
      if (!shape.length) problems.push(...grantProblems(where, ministry.receives));
      const principal: unknown = ministry?.kafkaPrincipal;
      if (principal !== undefined && (typeof principal !== 'string' || !/^[A-Za-z0-9._@-]+$/.test(principal)))
        problems.push(`ministry "${slug}" has an invalid kafkaPrincipal`);
    }
    for (const [code, sector] of Object.entries(file.sectors)) {
      const where = `sector ${code}`;
      const shape = unknownKeys(where, sector, SECTOR_KEYS);
      problems.push(...shape);
      if (shape.length) continue;
      if (!Object.hasOwn(file.ministries, sector.ministry))
        problems.push(`sector ${code} names unknown ministry "${sector.ministry}"`);
      problems.push(...grantProblems(where, sector.receives));
    }
    for (const [code, procedure] of Object.entries(file.procedures)) {
      const where = `procedure ${code}`;
      const shape = unknownKeys(where, procedure, PROCEDURE_KEYS);
      problems.push(...shape);
      if (shape.length) continue;
      if (!Object.hasOwn(file.sectors, procedure.sector))
        problems.push(`procedure ${code} names unknown sector "${procedure.sector}"`);
      if (procedure.nonBoundary !== undefined && typeof procedure.nonBoundary !== 'boolean')
        problems.push(`${where}: nonBoundary must be true or false`);
      const competent: unknown = procedure.competentAgencies;
      if (competent !== undefined) {
        if (!Array.isArray(competent) || competent.some((agency) => typeof agency !== 'string')) {
          problems.push(`${where}: competentAgencies must be a list of agency codes`);
        } else {
          for (const agency of competent as string[])
            if (!validateAgencyCode(agency).valid)
              problems.push(`${where}: competent agency "${agency}" is not an agency code`);
        }
      }
    }
    if (file.agencies !== undefined && file.agencies !== null) {
      if (typeof file.agencies !== 'object' || Array.isArray(file.agencies)) {
        problems.push('agencies must be a mapping of agency code to name');
      } else {
        for (const [code, name] of Object.entries(file.agencies)) {
          if (!validateAgencyCode(code).valid) problems.push(`agency "${code}" is not an agency code`);
          if (typeof name !== 'string' || name.trim() === '')
            problems.push(`agency ${code} needs a name (a string)`);
        }
      }
    }
    if (file.branches !== undefined && file.branches !== null) {
      if (typeof file.branches !== 'object' || Array.isArray(file.branches)) {
        problems.push('branches must be a mapping of branch code to ministry');
      } else {
        for (const [branch, ministry] of Object.entries(file.branches))
          if (typeof ministry !== 'string' || !Object.hasOwn(file.ministries, ministry))
            problems.push(`branch ${branch} names unknown ministry "${String(ministry)}"`);
      }
    }
    if (problems.length) throw new CatalogueError(`${source}:\n  - ${problems.join('\n  - ')}`);
    return new ProcedureCatalogue(file as CatalogueFile);
  }

  /**
   * The effective catalogue: the synced national catalogue overlaid by the local document (the YAML wins,
   * entry by entry). A synced sector takes its ministry from `branches` by its branch code, and is left out
   * when its branch is not mapped; a synced procedure whose sector is left out is left out too, as are
   * competent agencies and agencies whose codes are not agency codes. The local document is checked as
   * `fromDocument` checks it.
   */
  static effective(
    local: unknown,
    synced: SyncedCatalogue,
    source = 'procedure catalogue',
  ): ProcedureCatalogue {
    const file = ProcedureCatalogue.fromDocument(local, source).file;
    const sectors: Record<string, SectorEntry> = {};
    const branches = file.branches ?? {};
    for (const sector of synced.sectors) {
      if (sector.branchCode && Object.hasOwn(branches, sector.branchCode))
        sectors[sector.code] = { name: sector.name, ministry: branches[sector.branchCode] };
    }
    Object.assign(sectors, file.sectors);
    const procedures: Record<string, ProcedureEntry> = {};
    for (const procedure of synced.procedures) {
      if (!procedure.sectorCode || !Object.hasOwn(sectors, procedure.sectorCode)) continue;
      const competent = (procedure.competentAgencies ?? []).filter(
        (agency) => validateAgencyCode(agency).valid,
      );
      procedures[procedure.code] = {
        name: procedure.name,
        sector: procedure.sectorCode,
        ...(procedure.nonBoundary ? { nonBoundary: true } : {}),
        ...(competent.length ? { competentAgencies: competent } : {}),
      };
    }
    Object.assign(procedures, file.procedures);
    const agencies: Record<string, string> = {};
    for (const agency of synced.agencies)
      if (validateAgencyCode(agency.code).valid && agency.name.trim()) agencies[agency.code] = agency.name;
    Object.assign(agencies, file.agencies ?? {});
    return ProcedureCatalogue.fromDocument({ ...file, sectors, procedures, agencies }, source);
  }

  /**
   * Takes over another catalogue's entries, so every holder of this instance routes with them from now on
   * (a reload without a restart). The other catalogue was checked when it was built.
   */
  replaceWith(next: ProcedureCatalogue): void {
    this.file = next.file;
    this.grants = next.grants;
  }

  /** How many procedures the catalogue knows. */
  procedureCount(): number {
    return Object.keys(this.file.procedures).length;
  }

  ministries(): string[] {
    return Object.keys(this.file.ministries);
  }

  /** The name of an agency (DonViXuLy on the national portal), when the catalogue names it. */
  agencyName(agencyCode: string): string | undefined {
    const agencies = this.file.agencies;
    return agencies && Object.hasOwn(agencies, agencyCode) ? agencies[agencyCode] : undefined;
  }

  /** The catalogue's entry of a procedure, when it knows the code. */
  procedure(procedureCode: string): Readonly<ProcedureEntry> | undefined {
    return Object.hasOwn(this.file.procedures, procedureCode)
      ? this.file.procedures[procedureCode]
      : undefined;
  }

  /** The Kafka principal (SCRAM user name) of a ministry: its `kafkaPrincipal`, else its slug. */
  kafkaPrincipal(ministry: string): string {
    return this.file.ministries[ministry]?.kafkaPrincipal ?? ministry;
  }

  /** The governing ministry of an event, by its sector when known, else by its procedure, and its grants. */
  route(event: { procedureCode: string; sectorCode?: string }): Route | undefined {
    const procedure = Object.hasOwn(this.file.procedures, event.procedureCode)
      ? this.file.procedures[event.procedureCode]
      : undefined;
    const sectorCode =
      event.sectorCode && Object.hasOwn(this.file.sectors, event.sectorCode)
        ? event.sectorCode
        : procedure?.sector;
    if (!sectorCode) return undefined;
    const sector = this.file.sectors[sectorCode];
    return {
      ministry: sector.ministry,
      sectorCode,
      sectorName: sector.name,
      procedureName: procedure?.name,
      grants: this.grants.get(sectorCode) as ReadonlySet<MinistryGrant>,
    };
  }
}
