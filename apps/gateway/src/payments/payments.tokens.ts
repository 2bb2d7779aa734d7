/** The payment platform's client, or null when PAYMENT_PLATFORM_URL is unset. */
export const PAYMENT_PLATFORM = Symbol('PAYMENT_PLATFORM');
export const PAYMENT_SETTINGS = Symbol('PAYMENT_SETTINGS');

export interface PaymentSettings {
  merchantCode: string;
  secretKey: string;
  /** PAYMENT_NOTIFY_URL; unset: the gateway's own address as the request reached it. */
  notifyUrl?: string;
  notificationMaxAgeMs: number;
}
