/**
 * The dossier codes the portal issues in the token-based dialect, kept by the gateway: the portal knows a
 * dossier by its own code once it has created it, so every later update and step needs that code. The relay
 * keeps them in its database (portal_dossier_codes); the in-memory store serves tests and processes that only
 * read (the gateway's evaluation lookups).
 */
export interface PortalDossierCodes {
  /** The portal's code for a dossier code of the province, or undefined when none was issued (or kept). */
  get(dossierCode: string): Promise<string | undefined>;
  /** Records the code the portal issued; a later call for the same dossier replaces it. */
  set(dossierCode: string, portalCode: string): Promise<void>;
  /** Forgets a code the portal no longer knows. */
  delete(dossierCode: string): Promise<void>;
}

export class InMemoryPortalDossierCodes implements PortalDossierCodes {
  private readonly codes = new Map<string, string>();

  get(dossierCode: string): Promise<string | undefined> {
    return Promise.resolve(this.codes.get(dossierCode));
  }

  set(dossierCode: string, portalCode: string): Promise<void> {
    this.codes.set(dossierCode, portalCode);
    return Promise.resolve();
  }

  delete(dossierCode: string): Promise<void> {
    this.codes.delete(dossierCode);
    return Promise.resolve();
  }

  get size(): number {
    return this.codes.size;
  }
}
