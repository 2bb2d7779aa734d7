import { createEvent, newTraceParent } from './envelope';

describe('newTraceParent', () => {
  it('gives well-formed W3C trace contexts, all different, across refills of its random pool', () => {
    const all = Array.from({ length: 1000 }, () => newTraceParent());
    for (const traceparent of all) {
      expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(traceparent).not.toMatch(/^00-0{32}-/);
    }
    expect(new Set(all).size).toBe(all.length);
    expect(new Set(all.map((t) => t.slice(3, 35))).size).toBe(all.length);
  });

  it('is what an event without a trace context of its own carries', () => {
    const event = createEvent({ type: 'vn.lienthong.test.v1', source: '/test', data: {} });
    expect(event.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });
});
