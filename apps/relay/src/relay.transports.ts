/**
 * The relay runs three Kafka consumer groups, each its own @nestjs/microservices server: handlers are
 * bound to one of them by transport id, so ministry routing and portal sync progress independently
 * (a slow portal never delays a ministry's copy, and retries never delay the portal's main stream).
 */
export const ROUTING_TRANSPORT = Symbol('lienthong-relay-ministries');
export const PORTAL_TRANSPORT = Symbol('lienthong-relay-portal');
export const PORTAL_RETRY_TRANSPORT = Symbol('lienthong-relay-portal-retry');

export const ROUTING_GROUP_ID = 'lienthong-relay-ministries';
export const PORTAL_GROUP_ID = 'lienthong-relay-portal';
/** Its own group, so events sleeping between retries never hold up the main portal stream. */
export const PORTAL_RETRY_GROUP_ID = 'lienthong-relay-portal-retry';
