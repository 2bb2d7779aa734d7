/** The postal operator's client (PostalClient), or null without POSTAL_URL. */
export const POSTAL_CLIENT = Symbol('POSTAL_CLIENT');
/** POSTAL_WEBHOOK_SECRET. */
export const POSTAL_WEBHOOK_SECRET = Symbol('POSTAL_WEBHOOK_SECRET');
