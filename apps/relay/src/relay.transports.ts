/**
 * The relay runs three Kafka consumer groups, each its own @nestjs/microservices server: handlers are
 * bound to one of them by transport id, so ministry routing and portal sync progress independently
 * (a slow portal never delays a ministry's copy, and retries never delay the portal's main stream).
 */
export const ROUTING_TRANSPORT = Symbol('lienthong-relay-ministries');
export const PORTAL_TRANSPORT = Symbol('lienthong-relay-portal');
export const PORTAL_RETRY_TRANSPORT = Symbol('lienthong-relay-portal-retry');

/** The group ids themselves live in @lienthong/messaging, where the gateway's console reads them too. */
export { ROUTING_GROUP_ID, PORTAL_GROUP_ID, PORTAL_RETRY_GROUP_ID } from '@lienthong/messaging';
