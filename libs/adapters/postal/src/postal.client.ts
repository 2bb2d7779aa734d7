import type { Dispatcher } from 'undici';
import {
  AdapterCalls,
  AdapterHealth,
  DEFAULT_RESILIENCE,
  invalidRequestMessage,
  parseJsonObject,
  RawAnswer,
  retryAfterMs,
  upstreamPool,
  type ResilienceOptions,
  type UpstreamClientOptions,
} from '@lienthong/adapters/common';
import { postalErrors, type PostalError } from './postal.errors';

/**
 * The public postal service's delivery API (VNPost "Bưu chính công ích", contracts/upstream/postal): the
 * province's integration is issued to it, not published, so this REST/JSON interface is the project's
 * assumption. An order carries a dossier's result from the agency to the citizen; its tracking states come
 * back by signed callbacks (or `tracking`, polled).
 */

/** Tracking states, in the gateway's words; `RETURNED` is the parcel sent back to the agency. */
export const DELIVERY_STATES = ['CREATED', 'PICKED_UP', 'IN_TRANSIT', 'DELIVERED', 'RETURNED'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** The operator's state codes (`trang_thai`) and the gateway's. */
export const POSTAL_STATE_CODES: Readonly<Record<string, DeliveryState>> = Object.freeze({
  TAO_DON: 'CREATED',
  DA_LAY_HANG: 'PICKED_UP',
  DANG_VAN_CHUYEN: 'IN_TRANSIT',
  DA_PHAT: 'DELIVERED',
  CHUYEN_HOAN: 'RETURNED',
});

export function deliveryStateOf(code: unknown): DeliveryState | undefined {
  return typeof code === 'string' ? POSTAL_STATE_CODES[code] : undefined;
}

export function postalStateCode(state: DeliveryState): string {
  return Object.entries(POSTAL_STATE_CODES).find(([, value]) => value === state)![0];
}

export interface PostalOrderRequest {
  /** The dossier whose result is sent; also the order's client reference (idempotency key). */
  dossierCode: string;
  /** The sending agency (its code, Decision 20/2020/QĐ-TTg). */
  senderAgencyCode: string;
  receiver: { name: string; address: string; phone: string };
  /** Result documents in the parcel (1–50). */
  documents: number;
}

export interface PostalOrder {
  /** The operator's waybill number. */
  orderNumber: string;
  state: DeliveryState;
  /** When the operator accepted the order (ISO 8601). */
  createdAt: string;
}

export interface PostalTrackingEvent {
  /** The operator's id of the event (unique; callbacks repeat it). */
  eventId: string;
  state: DeliveryState;
  at: string;
}

export interface PostalTracking {
  orderNumber: string;
  clientReference: string;
  state: DeliveryState;
  events: PostalTrackingEvent[];
}

export interface PostalCallContext {
  requestId: string;
}

export interface PostalClientOptions extends UpstreamClientOptions {
  /** Base URL of the operator's API (scheme, host, port, optional path prefix). */
  url: string;
  /** The API token the operator issued to the province (`Authorization: Bearer`). */
  token: string;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const DOSSIER_REFERENCE = /^[A-Za-z0-9.-]{1,64}$/;
const PHONE = /^(\+84|0)[0-9]{9,10}$/;

/** Order creation and tracking at the postal operator, on the adapters' shared transport. */
export class PostalClient {
  readonly calls: AdapterCalls<PostalError>;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;

  constructor(private readonly options: PostalClientOptions) {
    const url = new URL(options.url);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    const resilience: ResilienceOptions = { ...DEFAULT_RESILIENCE, timeoutMs: 5_000, ...options.resilience };
    this.ownsDispatcher = !options.dispatcher;
    this.dispatcher =
      options.dispatcher ??
      upstreamPool(this.origin, {
        connections: options.connections ?? 8,
        connect: options.ca ? { ca: options.ca } : undefined,
        maxResponseBytes: 256 * 1024,
        connectTimeoutMs: resilience.timeoutMs,
      });
    this.calls = new AdapterCalls<PostalError>({
      adapter: postalErrors.adapter,
      upstream: postalErrors.upstream,
      title: 'postal',
      resilience,
      logger: options.logger,
      errors: postalErrors.kit(),
    });
  }

  /**
   * Creates the delivery order of a dossier's result (no cash on delivery). The dossier code is the order's
   * client reference: the same order sent again is answered the same waybill, so a retry never makes two.
   */
  createOrder(request: PostalOrderRequest, ctx: PostalCallContext): Promise<PostalOrder> {
    return this.calls.call('createOrder', ctx, async (attempts, requestId) => {
      const body = JSON.stringify(this.orderBody(request));
      const answer = await attempts((signal) =>
        this.send(signal, { method: 'POST', path: `${this.basePath}/api/v1/don-hang`, requestId, body }),
      );
      if (answer.status !== 200 && answer.status !== 201) throw this.failure(answer);
      const json = this.json(answer);
      const state = deliveryStateOf(json.trang_thai);
      if (typeof json.ma_van_don !== 'string' || !state || typeof json.thoi_gian_tao !== 'string') {
        throw postalErrors.ofKind(
          'MALFORMED_RESPONSE',
          'the postal operator answered an order without its fields',
        );
      }
      return { orderNumber: json.ma_van_don, state, createdAt: json.thoi_gian_tao };
    });
  }

  /** The order's tracking history, oldest first (for polling, or to check a callback). */
  tracking(orderNumber: string, ctx: PostalCallContext): Promise<PostalTracking> {
    return this.calls.call('tracking', ctx, async (attempts, requestId) => {
      if (typeof orderNumber !== 'string' || !DOSSIER_REFERENCE.test(orderNumber)) {
        throw postalErrors.ofKind('INVALID_REQUEST', invalidRequestMessage('orderNumber', 'adapter'), {
          field: 'orderNumber',
        });
      }
      const answer = await attempts((signal) =>
        this.send(signal, {
          method: 'GET',
          path: `${this.basePath}/api/v1/don-hang/${encodeURIComponent(orderNumber)}/hanh-trinh`,
          requestId,
        }),
      );
      if (answer.status !== 200) throw this.failure(answer);
      const json = this.json(answer);
      const state = deliveryStateOf(json.trang_thai);
      const events = Array.isArray(json.hanh_trinh) ? json.hanh_trinh : undefined;
      if (
        typeof json.ma_van_don !== 'string' ||
        typeof json.ma_khach_hang !== 'string' ||
        !state ||
        !events
      ) {
        throw postalErrors.ofKind(
          'MALFORMED_RESPONSE',
          'the postal operator answered tracking without its fields',
        );
      }
      return {
        orderNumber: json.ma_van_don,
        clientReference: json.ma_khach_hang,
        state,
        events: events.map((event: unknown) => {
          const e = (event ?? {}) as Record<string, unknown>;
          const eventState = deliveryStateOf(e.trang_thai);
          if (typeof e.ma_su_kien !== 'string' || !eventState || typeof e.thoi_gian !== 'string') {
            throw postalErrors.ofKind(
              'MALFORMED_RESPONSE',
              'the postal operator answered a malformed tracking event',
            );
          }
          return { eventId: e.ma_su_kien, state: eventState, at: e.thoi_gian };
        }),
      };
    });
  }

  health(): AdapterHealth {
    return this.calls.health();
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private orderBody(request: PostalOrderRequest): Record<string, unknown> {
    const invalid = (field: string) =>
      postalErrors.ofKind('INVALID_REQUEST', invalidRequestMessage(field, 'adapter'), { field });
    const text = (value: unknown, field: string, max: number) => {
      if (typeof value !== 'string' || value.trim() === '' || value.length > max) throw invalid(field);
      return value.trim();
    };
    if (typeof request?.dossierCode !== 'string' || !DOSSIER_REFERENCE.test(request.dossierCode))
      throw invalid('dossierCode');
    const phone = text(request.receiver?.phone, 'receiver.phone', 16).replace(/[\s.]/g, '');
    if (!PHONE.test(phone)) throw invalid('receiver.phone');
    if (!Number.isInteger(request.documents) || request.documents < 1 || request.documents > 50)
      throw invalid('documents');
    return {
      ma_khach_hang: request.dossierCode,
      nguoi_gui: { ma_don_vi: text(request.senderAgencyCode, 'senderAgencyCode', 35) },
      nguoi_nhan: {
        ho_ten: text(request.receiver?.name, 'receiver.name', 200),
        dia_chi: text(request.receiver?.address, 'receiver.address', 500),
        so_dien_thoai: phone,
      },
      ma_ho_so: request.dossierCode,
      so_luong_tai_lieu: request.documents,
      tien_thu_ho: 0,
      loai_dich_vu: 'TRA_KET_QUA_HCC',
    };
  }

  private send(
    signal: AbortSignal,
    request: { method: 'GET' | 'POST'; path: string; requestId: string; body?: string },
  ): Promise<RawAnswer> {
    return this.calls.exchange(signal, async () => {
      const response = await this.dispatcher.request({
        origin: this.origin,
        method: request.method,
        path: request.path,
        headers: {
          authorization: `Bearer ${this.options.token}`,
          accept: 'application/json',
          'x-request-id': request.requestId,
          ...(request.body !== undefined ? { 'content-type': JSON_TYPE } : {}),
        },
        body: request.body,
        signal,
      });
      const body = await response.body.text();
      const answer = { status: response.statusCode, headers: response.headers, body };
      // transient answers are thrown inside the attempt, so the resilience policy retries them
      if (answer.status >= 500 || answer.status === 429) throw this.failure(answer);
      return answer;
    });
  }

  private json(answer: RawAnswer): Record<string, unknown> {
    const parsed = parseJsonObject(answer.body);
    if (!parsed)
      throw postalErrors.ofKind('MALFORMED_RESPONSE', 'the postal operator answered something not JSON');
    return parsed;
  }

  /** 400 invalid, 401/403 authentication, 404 not found, 409 conflict, anything else unavailable. */
  private failure(answer: RawAnswer): PostalError {
    const { status } = answer;
    const code = parseJsonObject(answer.body)?.ma_loi;
    const upstreamCode = typeof code === 'string' ? code : undefined;
    const what = `the postal operator answered HTTP ${status}${upstreamCode ? ` (${upstreamCode})` : ''}`;
    const details = { status, upstreamCode };
    if (status === 400 || status === 415 || status === 422)
      return postalErrors.ofKind('INVALID_REQUEST', what, details);
    if (status === 401 || status === 403) return postalErrors.ofKind('AUTHENTICATION', what, details);
    if (status === 404) return postalErrors.ofKind('NOT_FOUND', what, details);
    if (status === 409) return postalErrors.ofKind('CONFLICT', what, details);
    const retryAfter = retryAfterMs(answer);
    return postalErrors.ofKind('UNAVAILABLE', what, {
      ...details,
      reason: 'HTTP_STATUS',
      ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
    });
  }
}
