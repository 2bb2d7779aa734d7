/**
 * The relay's Kafka consumer groups. The relay consumes in them; the gateway's operations console reads their
 * lag and state. Each role has its own group so a slow role never delays another, and the retry streams
 * have their own so events sleeping between retries never hold up a main stream. All start with the relay's
 * consumer-group prefix (acl-plan.ts), which is what its Kafka ACLs grant.
 */
export const ROUTING_GROUP_ID = 'lienthong-relay-ministries';
export const PORTAL_GROUP_ID = 'lienthong-relay-portal';
export const PORTAL_RETRY_GROUP_ID = 'lienthong-relay-portal-retry';
export const INDICATORS_GROUP_ID = 'lienthong-relay-indicators';
export const OPERATIONS_CENTER_GROUP_ID = 'lienthong-relay-operations-center';
export const OPERATIONS_CENTER_RETRY_GROUP_ID = 'lienthong-relay-operations-center-retry';
