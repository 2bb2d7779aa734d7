import type { Database } from '@lienthong/storage';
import { DossierStateRepository } from './dossier-state.repository';

const CODE = '000.17.22.H56-261031-0007';

/** A dossier_state of one row whose status the test changes, as an ingest would. */
function storeWith(row: { agency_code: string; status: string } | null) {
  const store = { row, fail: false };
  const database = {
    queryOne: async () => {
      if (store.fail) throw new Error('connection terminated');
      return store.row ? { ...store.row } : null;
    },
  } as unknown as Database;
  return { store, directory: new DossierStateRepository(database) };
}

describe('DossierStateRepository', () => {
  it('answers from the store, and after `forget` sees a dossier closed by an accepted event', async () => {
    const { store, directory } = storeWith({ agency_code: '000.17.22.H56', status: 'IN_PROCESS' });
    expect(await directory.find(CODE)).toEqual({ agencyCode: '000.17.22.H56', closed: false });
    store.row = { agency_code: '000.17.22.H56', status: 'WITHDRAWN' };
    directory.forget([CODE]);
    expect(await directory.find(CODE)).toEqual({ agencyCode: '000.17.22.H56', closed: true });
  });

  it('reuses an answer for a moment, so a burst of lookups costs one read', async () => {
    const { store, directory } = storeWith({ agency_code: '000.17.22.H56', status: 'IN_PROCESS' });
    await directory.find(CODE);
    // changed elsewhere (another instance): not seen within the reuse window
    store.row = null;
    expect(await directory.find(CODE)).toEqual({ agencyCode: '000.17.22.H56', closed: false });
  });

  it('does not keep a read that a change overtook, nor a failed read', async () => {
    const { store, directory } = storeWith({ agency_code: '000.17.22.H56', status: 'IN_PROCESS' });
    const inFlight = directory.find(CODE);
    store.row = { agency_code: '000.17.22.H56', status: 'WITHDRAWN' };
    directory.forget([CODE]);
    await inFlight;
    expect(await directory.find(CODE)).toEqual({ agencyCode: '000.17.22.H56', closed: true });

    directory.forget([CODE]);
    store.fail = true;
    await expect(directory.find(CODE)).rejects.toThrow('connection terminated');
    store.fail = false;
    expect(await directory.find(CODE)).toEqual({ agencyCode: '000.17.22.H56', closed: true });
  });
});
