import { ModelFieldIndex } from './field-paths';

// Field paths of clients.yaml scopes are checked against the canonical schemas, following their
// references across schema files (written as file names, resolved against each schema's $id).

describe('ModelFieldIndex', () => {
  const fields = new ModelFieldIndex();

  it('follows a reference into another schema file', () => {
    // citizen.permanentResidence is common.v1.json#/$defs/address
    expect(fields.has('citizen', 'permanentResidence.provinceCode')).toBe(true);
    expect(fields.has('citizen', 'permanentResidence.postcode')).toBe(false);
  });

  it('resolves a local reference relative to the file it was reached through', () => {
    // ministry copy -> dossier-status-event.v1.json#/properties/payment -> that file's #/$defs/payment
    expect(fields.has('ministry-dossier-status-event', 'payment.paidOnline')).toBe(true);
    expect(fields.has('ministry-dossier-status-event', 'payment.amount')).toBe(false);
  });

  it('lists the top-level fields of a model', () => {
    expect(fields.fieldsOf('citizen')).toEqual(expect.arrayContaining(['personalId', 'permanentResidence']));
  });
});
