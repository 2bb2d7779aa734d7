/**
 * The indicator consumer runs in its own consumer group (its own @nestjs/microservices server, bound by
 * transport id), so aggregation progresses independently of ministry routing and portal sync: a slow
 * database never delays a ministry's copy, and a replay for the indicators reaches only this group.
 */
export const INDICATORS_TRANSPORT = Symbol('lienthong-relay-indicators');
export { INDICATORS_GROUP_ID } from '@lienthong/messaging';
