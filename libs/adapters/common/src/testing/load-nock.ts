import type nockType from 'nock';

/**
 * nock for the adapter specs, active: it sees what goes through node's http/https modules — the axios calls
 * (the business registry's token endpoint, the public service portal) and the undici clients' calls when they
 * are given a NodeHttpDispatcher (node-http-dispatcher.ts); an undici Pool's own sockets are not seen. nock's
 * interceptors use Promise.withResolvers (Node 22+); on Node 20 the shim below is installed before nock loads,
 * which is why nock is required here rather than imported. Specs call `nock.restore()` in `afterAll` (or use
 * `useNock`) so later spec files in the same worker use the real network again; loading it again
 * re-activates it.
 */
const promise = Promise as unknown as { withResolvers?: unknown };
if (typeof promise.withResolvers !== 'function') {
  promise.withResolvers = function withResolvers<T>() {
    let resolve!: (value: T) => void;
    let reject!: (reason?: unknown) => void;
    const pending = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise: pending, resolve, reject };
  };
}
const loaded = require('nock') as typeof nockType & { default?: typeof nockType };
const nock = loaded.default ?? loaded;
if (!nock.isActive()) nock.activate();

export function loadNock(): typeof nockType {
  if (!nock.isActive()) nock.activate();
  return nock;
}

/** Hosts a spec may still connect to while nock refuses the network: loopback only. */
export const LOOPBACK_HOSTS = /^(127\.0\.0\.1|localhost|\[::1\]|::1)(:[0-9]+)?$/;

/**
 * nock for one spec file, with its hooks: no connection leaves the machine (loopback stays allowed), every
 * interceptor a test sets up must have been used by the end of that test (the test fails otherwise), and nock
 * is removed after the file.
 */
export function useNock(): typeof nockType {
  const active = loadNock();
  beforeAll(() => {
    active.disableNetConnect();
    active.enableNetConnect(LOOPBACK_HOSTS);
  });
  afterEach(() => {
    const unused = active.pendingMocks();
    active.abortPendingRequests();
    active.cleanAll();
    expect(unused).toEqual([]);
  });
  afterAll(() => {
    active.enableNetConnect();
    active.restore();
  });
  return active;
}
