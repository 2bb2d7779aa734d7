import { createHmac } from 'node:crypto';
import type { RawAnswer } from '@lienthong/adapters/common';
import {
  ChainCallContext,
  ChainStepAnswer,
  ChainStepRequest,
  ChainSystemClient,
  ChainSystemClientOptions,
  ChainSystemTransport,
  jsonAnswer,
  need,
  sexCode,
  transactionIdOf,
} from './chain-system';

/**
 * Interface `social-security-v1` (contracts/upstream/social-security): JSON (snake_case), every request
 * signed with HMAC-SHA256, asynchronous (202 and a file to poll).
 */
export const SOCIAL_SECURITY_INTERFACE = 'social-security-v1';
const JSON_TYPE = 'application/json; charset=utf-8';
const FILE_REFERENCE = /^[A-Za-z0-9._:-]{1,64}$/;

export interface SocialSecurityClientOptions extends ChainSystemClientOptions {
  clientId: string;
  /** The shared HMAC secret. */
  secret: string;
  /** Unix time in seconds (tests). */
  now?: () => number;
}

/**
 * The child health-insurance card and the funeral allowance at Vietnam Social Security. A request is
 * accepted (202, a file reference) and decided later: `submit` answers `pending` until then, and `check`
 * polls the file.
 */
export class SocialSecurityClient implements ChainSystemClient {
  readonly interface = SOCIAL_SECURITY_INTERFACE;
  readonly operations = ['health-insurance-card', 'funeral-allowance'] as const;
  private readonly transport: ChainSystemTransport;
  private readonly now: () => number;

  constructor(private readonly options: SocialSecurityClientOptions) {
    this.transport = new ChainSystemTransport('social-security', 'social security system', options);
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  submit(request: ChainStepRequest, ctx: ChainCallContext): Promise<ChainStepAnswer> {
    const t = this.transport;
    return t.calls.call(request?.operation ?? 'submit', ctx, async (attempts, requestId) => {
      const id = transactionIdOf(t, request);
      const { path, body } = this.body(request, id);
      return attempts(async (signal) =>
        this.interpret(await this.signed(signal, 'POST', path, requestId, body)),
      );
    });
  }

  check(reference: string, ctx: ChainCallContext): Promise<ChainStepAnswer> {
    const t = this.transport;
    return t.calls.call('check', ctx, async (attempts, requestId) => {
      if (typeof reference !== 'string' || !FILE_REFERENCE.test(reference)) {
        throw t.error('INVALID_REQUEST', 'invalid request: reference (checked before sending)', {
          field: 'reference',
        });
      }
      return attempts(async (signal) =>
        this.interpret(
          await this.signed(signal, 'GET', `/api/v1/ho-so/${encodeURIComponent(reference)}`, requestId),
        ),
      );
    });
  }

  health() {
    return this.transport.health();
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  private signed(
    signal: AbortSignal,
    method: 'GET' | 'POST',
    path: string,
    requestId: string,
    body?: string,
  ): Promise<RawAnswer> {
    const t = this.transport;
    const fullPath = `${t.basePath}${path}`;
    const timestamp = this.now();
    const signature = createHmac('sha256', this.options.secret)
      .update(`${timestamp}\n${method}\n${fullPath}\n${body ?? ''}`)
      .digest('hex');
    return t.send(signal, {
      method,
      path: fullPath,
      headers: {
        accept: 'application/json',
        'x-request-id': requestId,
        'x-vss-client-id': this.options.clientId,
        'x-vss-timestamp': String(timestamp),
        'x-vss-signature': signature,
        ...(body !== undefined ? { 'content-type': JSON_TYPE } : {}),
      },
      body,
    });
  }

  private body(request: ChainStepRequest, id: string): { path: string; body: string } {
    const t = this.transport;
    const f = (field: string) => need(t, request, field);
    if (request.operation === 'health-insurance-card') {
      return {
        path: '/api/v1/the-bhyt-tre-em',
        body: JSON.stringify({
          ma_yeu_cau: id,
          tre_em: {
            so_dinh_danh: f('child.personalId'),
            ho_ten: f('child.fullName'),
            gioi_tinh: sexCode(t, f('child.sex'), 'child.sex'),
            ngay_sinh: f('child.dateOfBirth'),
          },
          so_giay_khai_sinh: f('birthCertificate.number'),
          noi_dang_ky_kcb_ban_dau: f('healthInsurance.registeredClinic'),
          dia_chi: f('mother.residence'),
        }),
      };
    }
    if (request.operation === 'funeral-allowance') {
      return {
        path: '/api/v1/tro-cap-mai-tang',
        body: JSON.stringify({
          ma_yeu_cau: id,
          nguoi_chet: { so_dinh_danh: f('deceased.personalId') },
          so_trich_luc_khai_tu: f('deathCertificate.number'),
          ngay_cap_trich_luc: f('deathCertificate.issuedOn'),
          nguoi_huong: {
            so_dinh_danh: f('beneficiary.personalId'),
            tai_khoan_ngan_hang: f('beneficiary.bankAccount'),
          },
        }),
      };
    }
    throw t.error(
      'INVALID_REQUEST',
      `the social security system has no operation "${String(request.operation)}"`,
      {
        field: 'operation',
      },
    );
  }

  private interpret(answer: RawAnswer): ChainStepAnswer {
    const t = this.transport;
    if (answer.status !== 200 && answer.status !== 202) {
      let code: string | undefined;
      try {
        const parsed = JSON.parse(answer.body) as { ma_loi?: unknown };
        code = typeof parsed.ma_loi === 'string' ? parsed.ma_loi : undefined;
      } catch {
        // judged by the status alone
      }
      throw t.failure(answer, code);
    }
    const file = jsonAnswer(t, answer);
    const reference = typeof file.ma_ho_so === 'string' ? file.ma_ho_so : undefined;
    if (!reference)
      throw t.error('MALFORMED_RESPONSE', 'the social security system answered without a file reference');
    if (file.trang_thai === 'DANG_XU_LY') {
      const retryAfter = Number(answer.headers['retry-after']);
      return {
        state: 'pending',
        reference,
        retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 1000,
      };
    }
    if (file.trang_thai === 'TU_CHOI') {
      const reason = (file.ly_do ?? {}) as { ma?: unknown; noi_dung?: unknown };
      return {
        state: 'refused',
        reference,
        code: typeof reason.ma === 'string' ? reason.ma : 'TU_CHOI',
        reason: typeof reason.noi_dung === 'string' ? reason.noi_dung : 'Hồ sơ bị từ chối.',
      };
    }
    const result = (file.ket_qua ?? {}) as Record<string, unknown>;
    if (file.trang_thai === 'HOAN_THANH' && result.loai === 'THE_BHYT_TRE_EM') {
      const { ma_the: card, gia_tri_tu: from, gia_tri_den: until } = result;
      if (typeof card === 'string' && typeof from === 'string' && typeof until === 'string') {
        return {
          state: 'done',
          reference,
          produces: {
            'healthInsurance.cardNumber': card,
            'healthInsurance.validFrom': from,
            'healthInsurance.validUntil': until,
          },
        };
      }
    }
    if (file.trang_thai === 'HOAN_THANH' && result.loai === 'TRO_CAP_MAI_TANG') {
      const { so_quyet_dinh: decision, so_tien: amount } = result;
      if (typeof decision === 'string' && typeof amount === 'number') {
        return {
          state: 'done',
          reference,
          produces: { 'benefit.decisionNumber': decision, 'benefit.amount': String(amount) },
        };
      }
    }
    throw t.error('MALFORMED_RESPONSE', 'the social security system answered a file in an unknown state');
  }
}
