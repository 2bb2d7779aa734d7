import * as domain from '@lienthong/domain';

describe('@lienthong/domain entry point', () => {
  it.each([
    'validatePersonalId',
    'parsePersonalId',
    'isLegacyIdCard',
    'registerBirthRegistrationCode',
    'validateEnterpriseCode',
    'computeEnterpriseCheckDigit',
    'isBusinessLocationCode',
    'validateDossierCode',
    'parseDossierCode',
    'validateAgencyCode',
    'validateProvinceCode',
    'validateCommuneCode',
    'validateAdminUnit',
    'toPortalCode',
    'fromPortalCode',
    'canTransition',
  ])('exports the function %s', (name) => {
    expect(typeof (domain as Record<string, unknown>)[name]).toBe('function');
  });

  it('exports the data tables', () => {
    expect(domain.PROVINCES).toHaveLength(34);
    expect(domain.LEGACY_PROVINCES).toHaveLength(63);
    expect(domain.DOSSIER_STATUS_TABLE).toHaveLength(10);
    expect(Object.keys(domain.DOSSIER_STATUS_TRANSITIONS)).toHaveLength(10);
  });
});
