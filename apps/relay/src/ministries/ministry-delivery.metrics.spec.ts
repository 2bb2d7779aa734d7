import { register } from 'prom-client';
import { observeMinistryDelivery } from './ministry-delivery.metrics';

describe('ministry delivery delay', () => {
  it('observes the delay from the event time per ministry, clamping clock skew to zero', async () => {
    const now = Date.parse('2026-03-01T08:00:10Z');
    observeMinistryDelivery('bo-tu-phap', '2026-03-01T08:00:00Z', now);
    observeMinistryDelivery('bo-tu-phap', '2026-03-01T08:00:20Z', now);
    observeMinistryDelivery('bo-tu-phap', 'not a time', now);
    const { values } = await register.getSingleMetric('lgsp_ministry_delivery_delay_seconds')!.get();
    const of = (name: string, le?: number) =>
      values.find(
        (v) =>
          (v as { metricName?: string }).metricName === name &&
          v.labels.ministry === 'bo-tu-phap' &&
          v.labels.le === le,
      )?.value;
    expect(of('lgsp_ministry_delivery_delay_seconds_count')).toBe(2);
    expect(of('lgsp_ministry_delivery_delay_seconds_sum')).toBe(10);
    expect(of('lgsp_ministry_delivery_delay_seconds_bucket', 0.01)).toBe(1);
    expect(of('lgsp_ministry_delivery_delay_seconds_bucket', 10)).toBe(2);
  });
});
