/**
 * Operations-center delivery runs in two consumer groups of its own, each its own @nestjs/microservices server
 * (see relay.transports.ts): a slow or absent operations center never delays ministry routing or portal sync,
 * and reports sleeping between retries never hold up the main report stream.
 */
export const OPERATIONS_CENTER_TRANSPORT = Symbol('lienthong-relay-operations-center');
export const OPERATIONS_CENTER_RETRY_TRANSPORT = Symbol('lienthong-relay-operations-center-retry');

export { OPERATIONS_CENTER_GROUP_ID, OPERATIONS_CENTER_RETRY_GROUP_ID } from '@lienthong/messaging';
