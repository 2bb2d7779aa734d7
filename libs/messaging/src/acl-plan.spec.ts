import { ProcedureCatalogue } from '@lienthong/domain';
import { aclPlan, describeAcl } from './acl-plan';

const services = { gateway: 'gw', relay: 'rl', cli: 'op' };

describe('the ACLs topics init grants', () => {
  const plan = (grants: Partial<Parameters<typeof aclPlan>[0]> = {}) =>
    aclPlan({ services, ministries: [], producers: [], ...grants }).map(describeAcl);

  it('gives a ministry read on its own topic and its own consumer groups, and nothing else', () => {
    const lines = plan({ ministries: [{ ministry: 'bo-tu-phap', principal: 'bo-tu-phap' }] }).filter((line) =>
      line.includes('User:bo-tu-phap'),
    );
    expect(lines.sort()).toEqual(
      [
        'ALLOW User:bo-tu-phap READ TOPIC:literal:lgsp.dossier.status.v1.bo-tu-phap',
        'ALLOW User:bo-tu-phap DESCRIBE TOPIC:literal:lgsp.dossier.status.v1.bo-tu-phap',
        'ALLOW User:bo-tu-phap READ GROUP:prefixed:bo-tu-phap.',
      ].sort(),
    );
  });

  it('gives a producing client write on its own inbound topic only, and nobody write on the shared one', () => {
    const lines = plan({ producers: [{ clientId: 'motcua-lao-cai', principal: 'motcua' }] });
    expect(lines.filter((line) => line.includes('User:motcua')).sort()).toEqual(
      [
        'ALLOW User:motcua WRITE TOPIC:literal:lgsp.dossier.inbound.v1.motcua-lao-cai',
        'ALLOW User:motcua DESCRIBE TOPIC:literal:lgsp.dossier.inbound.v1.motcua-lao-cai',
      ].sort(),
    );
    expect(lines).toContain('DENY User:* WRITE TOPIC:literal:lgsp.dossier.inbound.v1');
  });

  it('gives each service the lgsp. topics, its own consumer groups and cluster describe', () => {
    const relay = plan().filter((line) => line.includes('User:rl '));
    expect(relay.sort()).toEqual(
      [
        'ALLOW User:rl READ TOPIC:prefixed:lgsp.',
        'ALLOW User:rl WRITE TOPIC:prefixed:lgsp.',
        'ALLOW User:rl DESCRIBE TOPIC:prefixed:lgsp.',
        'ALLOW User:rl READ GROUP:prefixed:lienthong-relay-',
        'ALLOW User:rl DESCRIBE CLUSTER:literal:kafka-cluster',
      ].sort(),
    );
    expect(plan().filter((line) => line.includes('User:gw ') && line.includes('GROUP'))).toEqual([
      'ALLOW User:gw READ GROUP:prefixed:lienthong-gateway-',
      'ALLOW User:gw READ GROUP:prefixed:lienthong-dlq-reader-',
    ]);
  });

  it("takes a ministry's principal from the catalogue: its slug, unless it names another", () => {
    const catalogue = ProcedureCatalogue.fromDocument({
      ministries: {
        'bo-tu-phap': { name: 'Bộ Tư pháp' },
        'bo-y-te': { name: 'Bộ Y tế', kafkaPrincipal: 'moh-consumer' },
      },
      sectors: {},
      procedures: {},
    });
    expect(catalogue.ministries().map((ministry) => catalogue.kafkaPrincipal(ministry))).toEqual([
      'bo-tu-phap',
      'moh-consumer',
    ]);
    expect(() =>
      ProcedureCatalogue.fromDocument({
        ministries: { 'bo-y-te': { name: 'Bộ Y tế', kafkaPrincipal: 'has space' } },
        sectors: {},
        procedures: {},
      }),
    ).toThrow('ministry "bo-y-te" has an invalid kafkaPrincipal');
  });
});
