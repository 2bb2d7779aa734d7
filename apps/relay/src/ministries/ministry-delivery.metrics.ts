import { histogram } from '@lienthong/observability';

/**
 * lgsp_ministry_delivery_delay_seconds{ministry}: from the dossier event's time to its copy being
 * acknowledged on the ministry's topic (acks=all), the delivery delay the "delivery delay over target"
 * alert watches. Ministries read their topic themselves; what they do after that is theirs to measure.
 */
export const ministryDeliveryDelay = histogram({
  name: 'lgsp_ministry_delivery_delay_seconds',
  help: "Delay from a dossier event's time to its copy being acknowledged on the ministry's topic",
  labelNames: ['ministry'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
});

/** Records one delivery; an event time in the future (clock skew) counts as no delay. */
export function observeMinistryDelivery(ministry: string, eventTime: string, now = Date.now()): void {
  const sent = Date.parse(eventTime);
  if (Number.isNaN(sent)) return;
  ministryDeliveryDelay.observe({ ministry }, Math.max(0, (now - sent) / 1000));
}
