import { ClientCredentialsTokens, type RawAnswer } from '@lienthong/adapters/common';
import {
  ChainCallContext,
  ChainStepAnswer,
  ChainStepRequest,
  ChainSystemClient,
  ChainSystemClientOptions,
  ChainSystemTransport,
  jsonAnswer,
  need,
  transactionIdOf,
} from './chain-system';

/** Interface `residence-v1` (contracts/upstream/residence): JSON REST, OAuth 2.0 client credentials. */
export const RESIDENCE_INTERFACE = 'residence-v1';
const JSON_TYPE = 'application/json; charset=utf-8';

export interface ResidenceClientOptions extends ChainSystemClientOptions {
  clientId: string;
  clientSecret: string;
  /** Default `cu-tru.thuong-tru`. */
  scope?: string;
}

/**
 * Permanent residence registration and its deletion at the residence database (Ministry of Public
 * Security). Every call carries a bearer token of the client-credentials grant, renewed before it expires
 * and fetched again once when the database refuses it.
 */
export class ResidenceClient implements ChainSystemClient {
  readonly interface = RESIDENCE_INTERFACE;
  readonly operations = ['permanent-residence', 'residence-deletion'] as const;
  private readonly transport: ChainSystemTransport;
  private readonly tokens: ClientCredentialsTokens;

  constructor(options: ResidenceClientOptions) {
    const t = (this.transport = new ChainSystemTransport('residence', 'residence database', options));
    this.tokens = new ClientCredentialsTokens({
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      scope: options.scope ?? 'cu-tru.thuong-tru',
      refreshMarginMs: 30_000,
      defaultLifetimeMs: 300_000,
      errors: {
        clientRejected: (status, oauthError) =>
          t.error('AUTHENTICATION', `the token endpoint refused the gateway's client credentials`, {
            status,
            upstreamCode: oauthError,
          }),
        grantRejected: (status, oauthError) =>
          t.error('AUTHENTICATION', `the token endpoint refused the grant (${oauthError})`, {
            status,
            upstreamCode: oauthError,
          }),
        unavailable: (status) =>
          t.error('UNAVAILABLE', `the token endpoint answered HTTP ${status}`, {
            status,
            reason: 'HTTP_STATUS',
          }),
        malformed: (message) => t.error('MALFORMED_RESPONSE', message),
      },
    });
  }

  submit(request: ChainStepRequest, ctx: ChainCallContext): Promise<ChainStepAnswer> {
    const t = this.transport;
    return t.calls.call(request?.operation ?? 'submit', ctx, async (attempts, requestId) => {
      const id = transactionIdOf(t, request);
      const { path, body } = this.body(request, id);
      return attempts(async (signal) => {
        for (let refreshed = false; ; refreshed = true) {
          const token = await this.tokens.token(() =>
            t.send(signal, {
              method: 'POST',
              path: `${t.basePath}/oauth2/token`,
              headers: {
                'content-type': 'application/x-www-form-urlencoded',
                authorization: this.tokens.authorization,
                accept: 'application/json',
              },
              body: this.tokens.requestBody(),
            }),
          );
          const answer = await t.send(signal, {
            method: 'POST',
            path: `${t.basePath}${path}`,
            headers: {
              'content-type': JSON_TYPE,
              accept: 'application/json',
              authorization: `Bearer ${token}`,
              'x-request-id': requestId,
            },
            body,
          });
          if (answer.status === 401 && !refreshed) {
            this.tokens.invalidate(token);
            continue;
          }
          return this.interpret(answer);
        }
      });
    });
  }

  check(): Promise<ChainStepAnswer> {
    return Promise.reject(
      this.transport.error('NOT_FOUND', 'the residence database answers at once; nothing to check'),
    );
  }

  health() {
    return this.transport.health();
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  private body(request: ChainStepRequest, id: string): { path: string; body: string } {
    const t = this.transport;
    const f = (field: string) => need(t, request, field);
    if (request.operation === 'permanent-residence') {
      return {
        path: '/api/cu-tru/v1/thuong-tru',
        body: JSON.stringify({
          maYeuCau: id,
          congDan: {
            soDinhDanh: f('child.personalId'),
            hoTen: f('child.fullName'),
            ngaySinh: f('child.dateOfBirth'),
          },
          soGiayKhaiSinh: f('birthCertificate.number'),
          soDinhDanhChuHo: f('residence.householdHeadPersonalId'),
          diaChiThuongTru: f('mother.residence'),
        }),
      };
    }
    if (request.operation === 'residence-deletion') {
      return {
        path: '/api/cu-tru/v1/thuong-tru/xoa',
        body: JSON.stringify({
          maYeuCau: id,
          soDinhDanh: f('deceased.personalId'),
          lyDo: 'CHET',
          soTrichLucKhaiTu: f('deathCertificate.number'),
          ngayCapTrichLuc: f('deathCertificate.issuedOn'),
        }),
      };
    }
    throw t.error(
      'INVALID_REQUEST',
      `the residence database has no operation "${String(request.operation)}"`,
      {
        field: 'operation',
      },
    );
  }

  private interpret(answer: RawAnswer): ChainStepAnswer {
    const t = this.transport;
    if (answer.status !== 200) {
      let code: string | undefined;
      try {
        const loi = (JSON.parse(answer.body) as { loi?: { ma?: unknown } }).loi;
        code = typeof loi?.ma === 'string' ? loi.ma : undefined;
      } catch {
        // not the contract's error body: judged by the status alone
      }
      throw t.failure(answer, code);
    }
    const body = jsonAnswer(t, answer);
    const str = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
    if (body.ketQua === 'TU_CHOI') {
      const reason = (body.lyDoTuChoi ?? {}) as { ma?: unknown; noiDung?: unknown };
      return {
        state: 'refused',
        code: str(reason.ma) ?? 'TU_CHOI',
        reason: str(reason.noiDung) ?? 'Hồ sơ bị từ chối.',
      };
    }
    if (body.ketQua === 'DA_DANG_KY' && str(body.diaChiThuongTru) && str(body.ngayDangKy)) {
      return {
        state: 'done',
        produces: {
          'residence.address': body.diaChiThuongTru as string,
          'residence.registeredOn': body.ngayDangKy as string,
        },
      };
    }
    if (body.ketQua === 'DA_XOA' && str(body.ngayXoa)) {
      return { state: 'done', produces: { 'residence.deletedOn': body.ngayXoa as string } };
    }
    throw t.error('MALFORMED_RESPONSE', 'the residence database answered an unknown result');
  }
}
