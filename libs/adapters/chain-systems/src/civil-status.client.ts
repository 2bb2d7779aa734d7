import { parseStringPromise, processors } from 'xml2js';
import type { RawAnswer } from '@lienthong/adapters/common';
import {
  ChainCallContext,
  ChainStepAnswer,
  ChainStepRequest,
  ChainSystemClient,
  ChainSystemClientOptions,
  ChainSystemTransport,
  need,
  optional,
  sexCode,
  transactionIdOf,
} from './chain-system';

/** Interface `civil-status-v1` (contracts/upstream/civil-status): XML over HTTP, HTTP Basic. */
export const CIVIL_STATUS_INTERFACE = 'civil-status-v1';
export const CIVIL_STATUS_NS = 'urn:vn:gov:moj:hotich:1.0';
const XML_TYPE = 'application/xml; charset=utf-8';

export interface CivilStatusClientOptions extends ChainSystemClientOptions {
  username: string;
  password: string;
}

type XmlNode = Record<string, unknown>;

function escape(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `<Name>value</Name>` for each present value, in order. */
function elements(entries: [string, string | undefined][]): string {
  return entries
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `<${name}>${escape(value)}</${name}>`)
    .join('');
}

function textOf(node: unknown): string | undefined {
  if (typeof node === 'string') return node.trim();
  if (node && typeof node === 'object' && typeof (node as XmlNode)._ === 'string')
    return ((node as XmlNode)._ as string).trim();
  return undefined;
}

/**
 * Birth and death registration at the civil-status system (Ministry of Justice). A registration is answered
 * at once: registered (the child's personal ID and the certificate number) or refused with a reason for the
 * citizen.
 */
export class CivilStatusClient implements ChainSystemClient {
  readonly interface = CIVIL_STATUS_INTERFACE;
  readonly operations = ['birth-registration', 'death-registration'] as const;
  private readonly transport: ChainSystemTransport;
  private readonly authorization: string;

  constructor(options: CivilStatusClientOptions) {
    this.transport = new ChainSystemTransport('civil-status', 'civil-status system', options);
    this.authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
  }

  submit(request: ChainStepRequest, ctx: ChainCallContext): Promise<ChainStepAnswer> {
    const t = this.transport;
    return t.calls.call(request?.operation ?? 'submit', ctx, async (attempts, requestId) => {
      const id = transactionIdOf(t, request);
      const { path, body } = this.document(request, id);
      const answer = await attempts((signal) =>
        t
          .send(signal, {
            method: 'POST',
            path: `${t.basePath}${path}`,
            headers: {
              'content-type': XML_TYPE,
              accept: 'application/xml',
              authorization: this.authorization,
              'x-request-id': requestId,
            },
            body,
          })
          .then((raw) => this.interpret(raw)),
      );
      return answer;
    });
  }

  check(): Promise<ChainStepAnswer> {
    return Promise.reject(
      this.transport.error('NOT_FOUND', 'the civil-status system answers at once; nothing to check'),
    );
  }

  health() {
    return this.transport.health();
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  private document(request: ChainStepRequest, id: string): { path: string; body: string } {
    const t = this.transport;
    const f = (field: string) => need(t, request, field);
    const o = (field: string) => optional(request, field);
    if (request.operation === 'birth-registration') {
      const father = o('father.personalId');
      return {
        path: '/hotich/v1/khai-sinh',
        body:
          `<?xml version="1.0" encoding="UTF-8"?><YeuCauDangKyKhaiSinh xmlns="${CIVIL_STATUS_NS}" maGiaoDich="${escape(id)}">` +
          `<TreEm>${elements([
            ['HoTen', f('child.fullName')],
            ['GioiTinh', sexCode(t, f('child.sex'), 'child.sex')],
            ['NgaySinh', f('child.dateOfBirth')],
            ['NoiSinh', f('child.placeOfBirth')],
            ['DanToc', f('child.ethnicity')],
            ['QuocTich', f('child.nationality')],
          ])}</TreEm>` +
          `<Me>${elements([
            ['SoDinhDanh', f('mother.personalId')],
            ['HoTen', o('mother.fullName')],
            ['NgaySinh', o('mother.dateOfBirth')],
            ['NoiCuTru', o('mother.residence')],
          ])}</Me>` +
          (father
            ? `<Cha>${elements([
                ['SoDinhDanh', father],
                ['HoTen', o('father.fullName')],
                ['NgaySinh', o('father.dateOfBirth')],
              ])}</Cha>`
            : '') +
          `<NguoiYeuCau>${elements([
            ['SoDinhDanh', f('declarant.personalId')],
            ['QuanHe', f('declarant.relationship')],
          ])}</NguoiYeuCau></YeuCauDangKyKhaiSinh>`,
      };
    }
    if (request.operation === 'death-registration') {
      return {
        path: '/hotich/v1/khai-tu',
        body:
          `<?xml version="1.0" encoding="UTF-8"?><YeuCauDangKyKhaiTu xmlns="${CIVIL_STATUS_NS}" maGiaoDich="${escape(id)}">` +
          `<NguoiChet>${elements([
            ['SoDinhDanh', f('deceased.personalId')],
            ['HoTen', o('deceased.fullName')],
            ['NgaySinh', o('deceased.dateOfBirth')],
            ['NgayChet', f('deceased.dateOfDeath')],
            ['NoiChet', f('deceased.placeOfDeath')],
            ['NguyenNhan', f('deceased.causeOfDeath')],
            ['NoiCuTru', o('deceased.residence')],
          ])}</NguoiChet>` +
          `<NguoiYeuCau>${elements([
            ['SoDinhDanh', f('declarant.personalId')],
            ['QuanHe', f('declarant.relationship')],
          ])}</NguoiYeuCau></YeuCauDangKyKhaiTu>`,
      };
    }
    throw t.error(
      'INVALID_REQUEST',
      `the civil-status system has no operation "${String(request.operation)}"`,
      {
        field: 'operation',
      },
    );
  }

  private async interpret(answer: RawAnswer): Promise<ChainStepAnswer> {
    const t = this.transport;
    let document: XmlNode | undefined;
    try {
      document = (await parseStringPromise(answer.body, {
        explicitArray: false,
        tagNameProcessors: [processors.stripPrefix],
      })) as XmlNode;
    } catch {
      document = undefined;
    }
    if (answer.status !== 200) {
      const error = document?.Loi as XmlNode | undefined;
      throw t.failure(answer, textOf(error?.MaLoi));
    }
    const result = document?.KetQuaDangKy as XmlNode | undefined;
    const attributes = (result?.$ ?? {}) as Record<string, string>;
    if (!result || typeof result !== 'object') {
      throw t.error('MALFORMED_RESPONSE', 'the civil-status system answered without a KetQuaDangKy document');
    }
    if (attributes.trangThai === 'TU_CHOI') {
      return {
        state: 'refused',
        code: textOf(result.MaLyDo) ?? 'TU_CHOI',
        reason: textOf(result.LyDo) ?? 'Hồ sơ bị từ chối.',
      };
    }
    if (attributes.trangThai !== 'DA_DANG_KY') {
      throw t.error('MALFORMED_RESPONSE', 'the civil-status system answered an unknown registration state');
    }
    const issuedOn = textOf(result.NgayCap);
    if (attributes.loai === 'KHAI_SINH') {
      const personalId = textOf(result.SoDinhDanh);
      const number = textOf(result.SoGiayKhaiSinh);
      if (!personalId || !number || !issuedOn) {
        throw t.error('MALFORMED_RESPONSE', 'a birth registration without personal ID, number or date');
      }
      return {
        state: 'done',
        produces: {
          'child.personalId': personalId,
          'birthCertificate.number': number,
          'birthCertificate.issuedOn': issuedOn,
        },
      };
    }
    const number = textOf(result.SoTrichLucKhaiTu);
    if (attributes.loai !== 'KHAI_TU' || !number || !issuedOn) {
      throw t.error('MALFORMED_RESPONSE', 'a death registration without extract number or date');
    }
    return {
      state: 'done',
      produces: { 'deathCertificate.number': number, 'deathCertificate.issuedOn': issuedOn },
    };
  }
}
