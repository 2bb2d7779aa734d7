import { randomUUID } from 'node:crypto';
import { isPartialDate } from '@lienthong/contracts';
import { validatePersonalId } from '@lienthong/domain';
import {
  childElement,
  readXml,
  textElement,
  XmlDocument,
  XmlElement,
  XmlParseError,
  XmlSignatureError,
  XmlSignatureVerifier,
  XmlSigner,
} from '@lienthong/pki';
import type { PopulationDataset, PopulationRecord } from './population.dataset';
import {
  citizenXml,
  FAULT_TEXT,
  FieldMatch,
  MATCH,
  NO_MATCH,
  POPULATION_FAULTS,
  POPULATION_NAMESPACE,
  POPULATION_OPERATIONS,
  PopulationFaultCode,
  PopulationOperation,
  SOAP_ENVELOPE_NAMESPACE,
  soapEnvelope,
  soapFault,
  toWireTimestamp,
  UNDETERMINED,
} from './population.wire';

/** What the service answered, for the server (status, body) and its statistics (outcome). */
export interface SoapAnswer {
  status: number;
  body: string;
  outcome: 'ok' | PopulationFaultCode;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const AGENCY_CODE = /^(?=.{1,35}$)[0-9A-Z]+(\.[0-9A-Z]+)*$/;
const TIMESTAMP = /^[0-9]{14}$/;
const WIRE_DATE = /^[0-9]{4}([0-9]{2}([0-9]{2})?)?$/;

const REQUEST_FIELDS: Record<PopulationOperation, readonly string[]> = {
  TraCuuThongTinCongDan: ['MaYeuCau', 'MaDonViYeuCau', 'ThoiGianYeuCau', 'SoDinhDanh'],
  XacThucThongTinCongDan: [
    'MaYeuCau',
    'MaDonViYeuCau',
    'ThoiGianYeuCau',
    'SoDinhDanh',
    'HoVaTen',
    'NgayThangNamSinh',
  ],
};

class SoapFaultAnswer extends Error {
  constructor(
    readonly code: PopulationFaultCode,
    readonly reason?: string,
    readonly requestId?: string,
  ) {
    super(code);
  }
}

/**
 * The SOAP endpoint's logic, independent of the HTTP server: parse the envelope, verify the caller's
 * signature against the trusted request-signing certificates, validate the input, answer from the register,
 * sign the answer. Every answer, faults included, is signed with the population database's key.
 */
export class PopulationSoapService {
  constructor(
    private readonly dataset: PopulationDataset,
    private readonly signer: XmlSigner,
    private readonly verifier: XmlSignatureVerifier,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  handle(body: string, soapAction?: string): SoapAnswer {
    try {
      const { document, operation, payload } = this.parseRequest(body, soapAction);
      try {
        this.verifier.verify(document, payload);
      } catch (error) {
        if (error instanceof XmlSignatureError) throw new SoapFaultAnswer(POPULATION_FAULTS.badSignature);
        if (error instanceof XmlParseError) {
          throw new SoapFaultAnswer(POPULATION_FAULTS.invalidInput, 'không đọc được XML');
        }
        throw error;
      }
      const fields = readFields(payload, operation);
      const requestId = fields.get('MaYeuCau');
      if (!requestId || !REQUEST_ID.test(requestId)) {
        throw new SoapFaultAnswer(POPULATION_FAULTS.invalidInput, 'MaYeuCau');
      }
      if (!AGENCY_CODE.test(fields.get('MaDonViYeuCau') ?? '')) {
        throw new SoapFaultAnswer(POPULATION_FAULTS.invalidInput, 'MaDonViYeuCau', requestId);
      }
      if (!TIMESTAMP.test(fields.get('ThoiGianYeuCau') ?? '')) {
        throw new SoapFaultAnswer(POPULATION_FAULTS.invalidInput, 'ThoiGianYeuCau', requestId);
      }
      const personalId = fields.get('SoDinhDanh') ?? '';
      if (!validatePersonalId(personalId).valid) {
        throw new SoapFaultAnswer(POPULATION_FAULTS.invalidInput, 'SoDinhDanh', requestId);
      }
      const record = this.dataset.findByPersonalId(personalId);

      if (operation === POPULATION_OPERATIONS.lookup) {
        if (!record) throw new SoapFaultAnswer(POPULATION_FAULTS.notFound, undefined, requestId);
        return this.answer(operation, requestId, citizenXml(record));
      }

      const fullName = fields.get('HoVaTen');
      const wireDate = fields.get('NgayThangNamSinh');
      if (fullName === undefined && wireDate === undefined) {
        throw new SoapFaultAnswer(POPULATION_FAULTS.invalidInput, 'HoVaTen hoặc NgayThangNamSinh', requestId);
      }
      if (fullName !== undefined && (fullName.trim() === '' || fullName.length > 200)) {
        throw new SoapFaultAnswer(POPULATION_FAULTS.invalidInput, 'HoVaTen', requestId);
      }
      const dateOfBirth = wireDate === undefined ? undefined : fromWireDate(wireDate);
      if (dateOfBirth === null) {
        throw new SoapFaultAnswer(POPULATION_FAULTS.invalidInput, 'NgayThangNamSinh', requestId);
      }
      if (!record) throw new SoapFaultAnswer(POPULATION_FAULTS.notFound, undefined, requestId);
      const results =
        (fullName !== undefined ? textElement('HoVaTen', matchName(record, fullName)) : '') +
        (dateOfBirth !== undefined ? textElement('NgayThangNamSinh', matchDate(record, dateOfBirth)) : '');
      return this.answer(operation, requestId, `<KetQuaXacThuc>${results}</KetQuaXacThuc>`);
    } catch (error) {
      if (error instanceof SoapFaultAnswer) return this.fault(error.code, error.reason, error.requestId);
      throw error;
    }
  }

  /** The signed SOAP fault for a business error (also used by the server for injected faults). */
  fault(code: PopulationFaultCode, reason?: string, requestId?: string): SoapAnswer {
    const detail = this.signer.signElement({
      localName: 'LoiNghiepVu',
      namespace: POPULATION_NAMESPACE,
      id: `LOI-${randomUUID()}`,
      content:
        textElement('MaLoi', code) +
        textElement('MoTa', reason ? `${FAULT_TEXT[code].text}: ${reason}` : FAULT_TEXT[code].text) +
        textElement('MaYeuCau', requestId) +
        textElement('ThoiGianTraLoi', toWireTimestamp(this.clock())),
    });
    return { status: 500, body: soapFault(code, detail, reason), outcome: code };
  }

  private answer(operation: PopulationOperation, requestId: string, result: string): SoapAnswer {
    const signed = this.signer.signElement({
      localName: `${operation}Response`,
      namespace: POPULATION_NAMESPACE,
      id: `KQ-${randomUUID()}`,
      content:
        textElement('MaYeuCau', requestId) +
        textElement('ThoiGianTraLoi', toWireTimestamp(this.clock())) +
        result,
    });
    return { status: 200, body: soapEnvelope(signed), outcome: 'ok' };
  }

  private parseRequest(
    body: string,
    soapAction?: string,
  ): { document: XmlDocument; operation: PopulationOperation; payload: XmlElement } {
    let document: XmlDocument;
    try {
      document = readXml(body);
    } catch (error) {
      if (error instanceof XmlParseError) {
        throw new SoapFaultAnswer(POPULATION_FAULTS.invalidInput, 'không đọc được XML');
      }
      throw error;
    }
    const root = document.root;
    if (root.namespaceURI !== SOAP_ENVELOPE_NAMESPACE || root.localName !== 'Envelope') {
      throw new SoapFaultAnswer(POPULATION_FAULTS.invalidInput, 'không phải SOAP 1.1 Envelope');
    }
    const soapBody = childElement(root, 'Body', SOAP_ENVELOPE_NAMESPACE);
    const payloads = soapBody ? soapBody.children : [];
    const payload = payloads[0];
    const operation = payload?.localName as PopulationOperation;
    if (
      payloads.length !== 1 ||
      payload.namespaceURI !== POPULATION_NAMESPACE ||
      !Object.values(POPULATION_OPERATIONS).includes(operation)
    ) {
      throw new SoapFaultAnswer(POPULATION_FAULTS.invalidInput, 'thao tác không được hỗ trợ');
    }
    const action = soapAction?.replace(/^"|"$/g, '');
    if (action && action !== `${POPULATION_NAMESPACE}#${operation}`) {
      throw new SoapFaultAnswer(POPULATION_FAULTS.invalidInput, 'SOAPAction không khớp thao tác');
    }
    return { document, operation, payload };
  }
}

/** Direct children by local name; unknown, repeated or foreign-namespace children are invalid input. */
function readFields(payload: XmlElement, operation: PopulationOperation): Map<string, string> {
  const allowed = REQUEST_FIELDS[operation];
  const fields = new Map<string, string>();
  for (const child of payload.children) {
    const name = child.localName;
    if (
      child.namespaceURI !== POPULATION_NAMESPACE ||
      !allowed.includes(name) ||
      fields.has(name) ||
      child.children.length > 0
    ) {
      throw new SoapFaultAnswer(POPULATION_FAULTS.invalidInput, `phần tử ${name} không hợp lệ`);
    }
    fields.set(name, child.text);
  }
  return fields;
}

/** `yyyyMMdd` / `yyyyMM` / `yyyy` -> partial date, or null when it is not a real date. */
function fromWireDate(value: string): string | null {
  if (!WIRE_DATE.test(value)) return null;
  const partial = [value.slice(0, 4), value.slice(4, 6), value.slice(6, 8)].filter((p) => p !== '').join('-');
  return isPartialDate(partial) ? partial : null;
}

function normaliseName(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('vi');
}

function matchName(record: PopulationRecord, submitted: string): FieldMatch {
  return normaliseName(record.fullName) === normaliseName(submitted) ? MATCH : NO_MATCH;
}

/**
 * A submitted date matches when it agrees with the register at the submitted precision; when the register
 * holds less than was submitted (a year only, say) and what it holds agrees, the answer is undetermined.
 */
function matchDate(record: PopulationRecord, submitted: string): FieldMatch {
  const held = record.dateOfBirth;
  if (submitted.length <= held.length) return held.startsWith(submitted) ? MATCH : NO_MATCH;
  return submitted.startsWith(held) ? UNDETERMINED : NO_MATCH;
}
