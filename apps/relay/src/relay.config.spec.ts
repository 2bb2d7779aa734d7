import { ConfigError } from '@lienthong/config';
import { loadRelayConfig } from './relay.config';

const base = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  MINISTRY_PSEUDONYM_KEY: `hex:${'5a'.repeat(32)}`,
  AUDIT_SUBJECT_KEY: `hex:${'6b'.repeat(32)}`,
};

describe('the relay roles of loadRelayConfig', () => {
  it('runs every role by default, less those whose upstream URL is unset', () => {
    expect(loadRelayConfig({ ...base }).roles.list).toEqual(['ministry-routing', 'indicators']);
    const config = loadRelayConfig({
      ...base,
      PORTAL_URL: 'http://127.0.0.1:4004',
      OPERATIONS_CENTER_URL: 'http://127.0.0.1:4005',
    });
    expect(config.roles.list).toEqual(['ministry-routing', 'portal-sync', 'indicators', 'ops-center']);
    expect(config.rolesOff).toEqual(['chains', 'feedback']);
    const chains = loadRelayConfig({
      ...base,
      CHAIN_CIVIL_STATUS_URL: 'http://127.0.0.1:4011',
      CHAIN_RESIDENCE_URL: 'http://127.0.0.1:4012',
      CHAIN_SOCIAL_SECURITY_URL: 'http://127.0.0.1:4013',
    });
    expect(chains.roles.list).toEqual(['ministry-routing', 'indicators', 'chains']);
    expect(chains.rolesOff).toEqual(['portal-sync', 'ops-center', 'feedback']);
    const feedback = loadRelayConfig({ ...base, FEEDBACK_URL: 'http://127.0.0.1:4014' });
    expect(feedback.roles.list).toEqual(['ministry-routing', 'indicators', 'feedback']);
  });

  it('runs ministry routing alone without a database or an audit subject key', () => {
    const config = loadRelayConfig({
      KAFKA_BROKERS: base.KAFKA_BROKERS,
      MINISTRY_PSEUDONYM_KEY: base.MINISTRY_PSEUDONYM_KEY,
      RELAY_ROLES: 'ministry-routing',
    });
    expect(config.roles.list).toEqual(['ministry-routing']);
    expect(config.roles.needsDatabase).toBe(false);
    expect(config.audit).toBeUndefined();
  });

  it('refuses to start with a role it does not know, or a role named without its upstream', () => {
    expect(() => loadRelayConfig({ ...base, RELAY_ROLES: 'ministry-routing,portal' })).toThrow(
      /RELAY_ROLES names portal: each item must be one of ministry-routing, portal-sync, indicators, ops-center, chains, feedback/,
    );
    expect(() => loadRelayConfig({ ...base, RELAY_ROLES: 'portal-sync' })).toThrow(ConfigError);
    expect(() => loadRelayConfig({ ...base, RELAY_ROLES: 'portal-sync' })).toThrow(
      /RELAY_ROLES names portal-sync but PORTAL_URL is not set/,
    );
    expect(() => loadRelayConfig({ ...base, RELAY_ROLES: 'feedback' })).toThrow(
      /RELAY_ROLES names feedback but FEEDBACK_URL is not set/,
    );
  });
});
