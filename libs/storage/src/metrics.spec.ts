import { register } from 'prom-client';

describe('storage metrics', () => {
  it('survive the module being loaded twice against one registry (one registration per name)', () => {
    const promClient = require('prom-client') as typeof import('prom-client');
    const load = () => {
      let loaded: typeof import('./metrics') | undefined;
      jest.isolateModules(() => {
        jest.doMock('prom-client', () => promClient);
        loaded = require('./metrics') as typeof import('./metrics');
      });
      return loaded!;
    };
    const first = load();
    const second = load();
    expect(first).not.toBe(second);
    expect(second.dbQueryDuration === first.dbQueryDuration).toBe(true);
    expect(second.dbErrors === first.dbErrors).toBe(true);
    expect(second.dbUp === first.dbUp).toBe(true);
    expect(register.getSingleMetric('lgsp_db_query_duration_seconds') === first.dbQueryDuration).toBe(true);
  });

  it('sum every open pool into the pool gauges and forget closed ones', async () => {
    const { trackPool } = require('./metrics') as typeof import('./metrics');
    const untrackA = trackPool({ totalCount: 3, idleCount: 1, waitingCount: 0 });
    const untrackB = trackPool({ totalCount: 2, idleCount: 2, waitingCount: 4 });
    const value = async (name: string) => (await register.getSingleMetric(name)!.get()).values[0].value;
    expect(await value('lgsp_db_pool_total_connections')).toBe(5);
    expect(await value('lgsp_db_pool_idle_connections')).toBe(3);
    expect(await value('lgsp_db_pool_waiting_clients')).toBe(4);
    untrackA();
    untrackB();
    expect(await value('lgsp_db_pool_total_connections')).toBe(0);
  });
});
