import { counter, gauge } from '@lienthong/observability';

/**
 * Reconciliation with the portal's own Decision 766 evaluation (GET /v1/indicators/reconcile):
 * - lgsp_indicator_reconcile_difference_points{agency,period_kind,group}: portal − gateway for a group at the last
 *   reconciliation of that agency (the group named `total` is the whole score); 0 when they agree;
 * - lgsp_indicator_reconcile_total{outcome}: reconciliations by outcome (agree, differ, no_evaluation,
 *   unavailable, not_configured).
 */
export const reconcileDifference = gauge({
  name: 'lgsp_indicator_reconcile_difference_points',
  help: 'Portal minus gateway Decision 766 points per group (and total) at the last reconciliation of an agency',
  labelNames: ['agency', 'period_kind', 'group'] as const,
});

export const reconciliations = counter({
  name: 'lgsp_indicator_reconcile_total',
  help: 'Reconciliations with the portal’s own Decision 766 evaluation, by outcome',
  labelNames: ['outcome'] as const,
});
