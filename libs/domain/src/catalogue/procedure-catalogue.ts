import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { load } from 'js-yaml';
import { repoRoot } from '@lienthong/config';

interface CatalogueFile {
  /**
   * `kafkaPrincipal`: the ministry's SASL/SCRAM user name, when it is not the slug itself (the default
   * convention, so most entries need nothing).
   */
  ministries: Record<string, { name: string; kafkaPrincipal?: string }>;
  sectors: Record<string, { name: string; ministry: string }>;
  procedures: Record<string, { name: string; sector: string }>;
}

export class CatalogueError extends Error {
  override readonly name = 'CatalogueError';
}

/**
 * deploy/config/procedures.yaml: procedure code → sector → governing ministry. Checked at load so a
 * sector naming an unknown ministry, or a procedure an unknown sector, stops the relay at start.
 */
export class ProcedureCatalogue {
  private constructor(private readonly file: CatalogueFile) {}

  static load(path: string): ProcedureCatalogue {
    const full = isAbsolute(path) ? path : join(repoRoot(), path);
    let parsed: unknown;
    try {
      parsed = load(readFileSync(full, 'utf8'));
    } catch (error) {
      throw new CatalogueError(`cannot read the procedure catalogue ${full}: ${(error as Error).message}`);
    }
    return ProcedureCatalogue.fromDocument(parsed, full);
  }

  static fromDocument(document: unknown, source = 'procedure catalogue'): ProcedureCatalogue {
    const file = document as Partial<CatalogueFile>;
    const problems: string[] = [];
    if (!file || typeof file !== 'object' || !file.ministries || !file.sectors || !file.procedures) {
      throw new CatalogueError(`${source}: needs ministries, sectors and procedures`);
    }
    for (const [slug, ministry] of Object.entries(file.ministries)) {
      if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(slug))
        problems.push(`ministry "${slug}" is not a lower-case slug`);
      const principal: unknown = ministry?.kafkaPrincipal;
      if (principal !== undefined && (typeof principal !== 'string' || !/^[A-Za-z0-9._@-]+$/.test(principal)))
        problems.push(`ministry "${slug}" has an invalid kafkaPrincipal`);
    }
    for (const [code, sector] of Object.entries(file.sectors)) {
      if (!file.ministries[sector?.ministry])
        problems.push(`sector ${code} names unknown ministry "${sector?.ministry}"`);
    }
    for (const [code, procedure] of Object.entries(file.procedures)) {
      if (!file.sectors[procedure?.sector])
        problems.push(`procedure ${code} names unknown sector "${procedure?.sector}"`);
    }
    if (problems.length) throw new CatalogueError(`${source}:\n  - ${problems.join('\n  - ')}`);
    return new ProcedureCatalogue(file as CatalogueFile);
  }

  ministries(): string[] {
    return Object.keys(this.file.ministries);
  }

  /** The Kafka principal (SCRAM user name) of a ministry: its `kafkaPrincipal`, else its slug. */
  kafkaPrincipal(ministry: string): string {
    return this.file.ministries[ministry]?.kafkaPrincipal ?? ministry;
  }

  /** The governing ministry of an event: by its sector when known, else by its procedure. */
  route(event: {
    procedureCode: string;
    sectorCode?: string;
  }): { ministry: string; sectorCode: string; sectorName: string; procedureName?: string } | undefined {
    const procedure = this.file.procedures[event.procedureCode];
    const sectorCode =
      event.sectorCode && this.file.sectors[event.sectorCode] ? event.sectorCode : procedure?.sector;
    if (!sectorCode) return undefined;
    const sector = this.file.sectors[sectorCode];
    return { ministry: sector.ministry, sectorCode, sectorName: sector.name, procedureName: procedure?.name };
  }
}
