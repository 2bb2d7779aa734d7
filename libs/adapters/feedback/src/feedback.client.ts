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
import { feedbackErrors, type FeedbackError } from './feedback.errors';

/**
 * The national feedback system (Hệ thống tiếp nhận, trả lời phản ánh, kiến nghị of the National Public Service
 * Portal), interface as assumed in contracts/upstream/feedback/README.md: JSON over HTTPS with an API key,
 * new items listed after a cursor, each acknowledged, then answered.
 */

/** Who sent the item: personal data, kept in the database only. */
export interface FeedbackContact {
  fullName: string;
  phone?: string;
  email?: string;
}

export interface FeedbackItem {
  id: string;
  receivedAt: Date;
  procedureCode?: string;
  agencyCode?: string;
  content: string;
  contact: FeedbackContact;
}

export interface FeedbackPage {
  items: FeedbackItem[];
  /** Pass to the next `fetchNew` (store it once the page is stored). */
  cursor: string;
  more: boolean;
}

export interface FeedbackAnswer {
  content: string;
  agencyCode: string;
  answeredAt: Date;
}

export interface FeedbackCallContext {
  requestId: string;
}

export interface FeedbackClientOptions extends UpstreamClientOptions {
  url: string;
  apiKey: string;
}

const ITEM_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const UPSTREAM = feedbackErrors.upstream;

export class FeedbackClient {
  private readonly calls: AdapterCalls<FeedbackError>;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;

  constructor(private readonly options: FeedbackClientOptions) {
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
        maxResponseBytes: 4 * 1024 * 1024,
        connectTimeoutMs: resilience.timeoutMs,
      });
    this.calls = new AdapterCalls<FeedbackError>({
      adapter: feedbackErrors.adapter,
      upstream: feedbackErrors.upstream,
      title: 'feedback',
      resilience,
      logger: options.logger,
      errors: feedbackErrors.kit(),
    });
  }

  /** New items after `cursor` (undefined: from the start), oldest first, at most `pageSize`. */
  fetchNew(cursor: string | undefined, ctx: FeedbackCallContext, pageSize = 50): Promise<FeedbackPage> {
    return this.calls.call('fetch-new', ctx, async (attempts, requestId) => {
      const query = new URLSearchParams({ soLuong: String(pageSize) });
      if (cursor !== undefined) query.set('sau', cursor);
      return attempts(async (signal) => {
        const answer = await this.send(signal, 'GET', `/api/pakn/v1/phan-anh?${query}`, requestId);
        const body = this.json(answer);
        if (!Array.isArray(body.duLieu) || typeof body.conTro !== 'string') {
          throw feedbackErrors.ofKind('MALFORMED_RESPONSE', `the ${UPSTREAM} answered an unknown list`);
        }
        return {
          items: body.duLieu.map((entry) => this.item(entry)),
          cursor: body.conTro,
          more: body.conTiep === true,
        };
      });
    });
  }

  /** Tells the national system the item reached its agency. Acknowledging twice is harmless. */
  acknowledge(id: string, ctx: FeedbackCallContext): Promise<void> {
    return this.calls.call('acknowledge', ctx, async (attempts, requestId) => {
      const path = `/api/pakn/v1/phan-anh/${this.idOf(id)}/xac-nhan`;
      return attempts(async (signal) => {
        this.json(await this.send(signal, 'POST', path, requestId, '{}'));
      });
    });
  }

  /** Posts the agency's answer. The same answer again is accepted; another one is a CONFLICT. */
  answer(id: string, answer: FeedbackAnswer, ctx: FeedbackCallContext): Promise<void> {
    return this.calls.call('answer', ctx, async (attempts, requestId) => {
      const path = `/api/pakn/v1/phan-anh/${this.idOf(id)}/tra-loi`;
      if (typeof answer?.content !== 'string' || answer.content.trim() === '') {
        throw feedbackErrors.ofKind('INVALID_REQUEST', invalidRequestMessage('content', 'adapter'), {
          field: 'content',
        });
      }
      const body = JSON.stringify({
        noiDung: answer.content,
        coQuanTraLoi: answer.agencyCode,
        thoiGianTraLoi: answer.answeredAt.toISOString(),
      });
      return attempts(async (signal) => {
        this.json(await this.send(signal, 'POST', path, requestId, body));
      });
    });
  }

  health(): AdapterHealth {
    return this.calls.health();
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private idOf(id: string): string {
    if (typeof id !== 'string' || !ITEM_ID.test(id)) {
      throw feedbackErrors.ofKind('INVALID_REQUEST', invalidRequestMessage('id', 'adapter'), {
        field: 'id',
      });
    }
    return id;
  }

  private send(
    signal: AbortSignal,
    method: 'GET' | 'POST',
    path: string,
    requestId: string,
    body?: string,
  ): Promise<RawAnswer> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'x-api-key': this.options.apiKey,
      'x-request-id': requestId,
      ...(body !== undefined ? { 'content-type': 'application/json; charset=utf-8' } : {}),
    };
    return this.calls.exchange(signal, async () => {
      const response = await this.dispatcher.request({
        origin: this.origin,
        method,
        path: `${this.basePath}${path}`,
        headers,
        body,
        signal,
      });
      return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
    });
  }

  /** A 200 answer's JSON object, or the error its status means. */
  private json(answer: RawAnswer): Record<string, unknown> {
    if (answer.status !== 200) throw this.failure(answer);
    const parsed = parseJsonObject(answer.body);
    if (!parsed)
      throw feedbackErrors.ofKind('MALFORMED_RESPONSE', `the ${UPSTREAM} answered something not JSON`);
    return parsed;
  }

  private failure(answer: RawAnswer): FeedbackError {
    const { status } = answer;
    let code: string | undefined;
    const loi = parseJsonObject(answer.body)?.loi as { ma?: unknown } | undefined;
    if (typeof loi?.ma === 'string') code = loi.ma;
    const what = `the ${UPSTREAM} answered HTTP ${status}${code ? ` (${code})` : ''}`;
    const details = { status, upstreamCode: code };
    if (status === 400) return feedbackErrors.ofKind('INVALID_REQUEST', what, details);
    if (status === 401 || status === 403) return feedbackErrors.ofKind('AUTHENTICATION', what, details);
    if (status === 404) return feedbackErrors.ofKind('NOT_FOUND', what, details);
    if (status === 409) return feedbackErrors.ofKind('CONFLICT', what, details);
    const retryAfter = retryAfterMs(answer);
    return feedbackErrors.ofKind('UNAVAILABLE', what, {
      ...details,
      reason: 'HTTP_STATUS',
      ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
    });
  }

  private item(entry: unknown): FeedbackItem {
    const e = (entry ?? {}) as Record<string, unknown>;
    const str = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
    const who = (e.nguoiPhanAnh ?? {}) as Record<string, unknown>;
    const received = str(e.thoiGianTiepNhan);
    if (
      !str(e.ma) ||
      !ITEM_ID.test(e.ma as string) ||
      !str(e.noiDung) ||
      !received ||
      Number.isNaN(Date.parse(received))
    ) {
      throw feedbackErrors.ofKind(
        'MALFORMED_RESPONSE',
        `the ${UPSTREAM} listed an item without ma, noiDung or thoiGianTiepNhan`,
      );
    }
    return {
      id: e.ma as string,
      receivedAt: new Date(received),
      procedureCode: str(e.maThuTuc),
      agencyCode: str(e.maCoQuan),
      content: e.noiDung as string,
      contact: {
        fullName: str(who.hoTen) ?? '',
        ...(str(who.soDienThoai) ? { phone: str(who.soDienThoai) } : {}),
        ...(str(who.email) ? { email: str(who.email) } : {}),
      },
    };
  }
}
