import { randomUUID } from 'node:crypto';
import {
  childElement,
  ElementToSign,
  readXml,
  textElement,
  XmlDocument,
  XmlElement,
  XmlParseError,
  XmlSignatureError,
  XmlSignatureVerifier,
  XmlSigner,
} from '@lienthong/pki';
import { populationErrors, PopulationError } from './population.errors';
import {
  POPULATION_FAULT_CODES,
  POPULATION_NAMESPACE,
  PopulationOperation,
  SOAP_ENVELOPE_NAMESPACE,
} from './population.wire';

/**
 * SOAP envelopes of the population service: signed requests written directly in canonical form (no DOM),
 * and answers read once (readXml: the canonical reader, or @xmldom/xmldom for anything else), their
 * signature verified on that tree against the pinned upstream certificate, and the verified payload handed
 * to the mapping. Nothing outside the signed payload (headers, faultstring) is ever read as data.
 */

export interface RequestFields {
  requestId: string;
  callerCode: string;
  /** yyyyMMddHHmmss, Vietnam time. */
  timestamp: string;
  personalId: string;
  /** XacThucThongTinCongDan only. */
  fullName?: string;
  /** XacThucThongTinCongDan only: yyyyMMdd / yyyyMM / yyyy. */
  dateOfBirth?: string;
}

/** The signed SOAP request for an operation. */
export function buildRequestEnvelope(
  signer: XmlSigner,
  operation: PopulationOperation,
  fields: RequestFields,
): string {
  return requestEnvelope(signer.signElement(requestPayload(operation, fields)));
}

/** The same, signed off the event loop (XmlSigner.signElementAsync): what the client sends. */
export async function signRequestEnvelope(
  signer: XmlSigner,
  operation: PopulationOperation,
  fields: RequestFields,
): Promise<string> {
  return requestEnvelope(await signer.signElementAsync(requestPayload(operation, fields)));
}

function requestPayload(operation: PopulationOperation, fields: RequestFields): ElementToSign {
  return {
    localName: operation,
    namespace: POPULATION_NAMESPACE,
    id: `YC-${randomUUID()}`,
    content:
      textElement('MaYeuCau', fields.requestId) +
      textElement('MaDonViYeuCau', fields.callerCode) +
      textElement('ThoiGianYeuCau', fields.timestamp) +
      textElement('SoDinhDanh', fields.personalId) +
      textElement('HoVaTen', fields.fullName) +
      textElement('NgayThangNamSinh', fields.dateOfBirth),
  };
}

function requestEnvelope(payload: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<soap:Envelope xmlns:soap="${SOAP_ENVELOPE_NAMESPACE}"><soap:Body>${payload}</soap:Body></soap:Envelope>`
  );
}

/** A nested record of an element's children: text for leaves, records for elements with children. */
export type WireRecord = { [name: string]: string | WireRecord };

/**
 * Reads an answer: parse, recognise the expected response or a fault, verify the signature of the payload
 * (pinned certificate), check it answers this request (MaYeuCau), and return the payload's children as a
 * record. Every failure is a typed adapter error.
 */
export function readAnswer(
  verifier: XmlSignatureVerifier,
  operation: PopulationOperation,
  requestId: string,
  status: number,
  body: string,
): WireRecord {
  const serverError = status >= 500 || status === 429;
  let document: XmlDocument;
  try {
    document = readXml(body);
  } catch (error) {
    if (error instanceof XmlParseError) {
      throw unusable(status, serverError, 'the answer is not well-formed XML', error);
    }
    throw error;
  }
  const root = document.root;
  if (root.namespaceURI !== SOAP_ENVELOPE_NAMESPACE || root.localName !== 'Envelope') {
    throw unusable(status, serverError, 'the answer is not a SOAP 1.1 envelope');
  }
  const soapBody = childElement(root, 'Body', SOAP_ENVELOPE_NAMESPACE);
  const parts = soapBody ? soapBody.children : [];
  if (parts.length !== 1) throw unusable(status, serverError, 'the SOAP body must hold exactly one element');
  const part = parts[0];

  if (part.namespaceURI === SOAP_ENVELOPE_NAMESPACE && part.localName === 'Fault') {
    throw faultError(verifier, document, requestId, status, part);
  }
  if (part.namespaceURI !== POPULATION_NAMESPACE || part.localName !== `${operation}Response`) {
    throw populationErrors.malformed(`expected ${operation}Response, got another element`, { status });
  }
  verify(verifier, document, part);
  const record = toRecord(part);
  if (record.MaYeuCau !== requestId) {
    throw populationErrors.badSignature(
      'REQUEST_BINDING',
      'the signed answer belongs to another request (MaYeuCau)',
    );
  }
  if (status !== 200) {
    throw populationErrors.malformed(`a ${operation}Response with HTTP status ${status}`, { status });
  }
  return record;
}

function faultError(
  verifier: XmlSignatureVerifier,
  document: XmlDocument,
  requestId: string,
  status: number,
  fault: XmlElement,
): PopulationError {
  const faultcode = (childElement(fault, 'faultcode')?.text ?? '').trim();
  const detail = childElement(fault, 'detail', null);
  const business = detail ? childElement(detail, 'LoiNghiepVu', POPULATION_NAMESPACE) : undefined;
  if (!business) {
    // A fault from something in between (an ESB, a proxy): nothing signed to rely on.
    return /(^|:)Server$/.test(faultcode)
      ? populationErrors.unavailable('BUSY', 'soap:Server fault without a signed detail', { status })
      : populationErrors.malformed('SOAP fault without a signed detail', { status });
  }
  verify(verifier, document, business);
  const record = toRecord(business);
  if (record.MaYeuCau !== undefined && record.MaYeuCau !== requestId) {
    return populationErrors.badSignature(
      'REQUEST_BINDING',
      'the signed fault belongs to another request (MaYeuCau)',
    );
  }
  switch (record.MaLoi) {
    case POPULATION_FAULT_CODES.notFound:
      return populationErrors.notFound(
        'no citizen with this personal ID in the National Population Database',
      );
    case POPULATION_FAULT_CODES.invalidInput:
      return populationErrors.invalidRequest(undefined, 'upstream');
    case POPULATION_FAULT_CODES.badSignature:
      return populationErrors.authentication(
        'SIGNATURE_REJECTED',
        `the population database refused the gateway's request signature (${POPULATION_FAULT_CODES.badSignature})`,
        { upstreamCode: POPULATION_FAULT_CODES.badSignature },
      );
    case POPULATION_FAULT_CODES.busy:
      return populationErrors.unavailable('BUSY', 'the population database is busy (HE_THONG_BAN)', {
        status,
      });
    default:
      return populationErrors.malformed('a fault code outside the contract', { status });
  }
}

function verify(verifier: XmlSignatureVerifier, document: XmlDocument, element: XmlElement): void {
  try {
    verifier.verify(document, element);
  } catch (error) {
    if (error instanceof XmlSignatureError) {
      throw populationErrors.badSignature(
        error.reason,
        `the answer's signature was refused: ${error.message}`,
      );
    }
    if (error instanceof XmlParseError) {
      throw populationErrors.malformed('the answer is not well-formed XML', {}, { cause: error });
    }
    throw error;
  }
}

function unusable(status: number, serverError: boolean, message: string, cause?: unknown): PopulationError {
  return serverError
    ? populationErrors.unavailable('HTTP_STATUS', `HTTP ${status}: ${message}`, { status }, { cause })
    : populationErrors.malformed(message, { status }, { cause });
}

/**
 * The children of a verified payload as a record (contract elements only: our namespace, each at most
 * once). Elements with element children become nested records; leaves become their text.
 */
function toRecord(element: XmlElement): WireRecord {
  const record: WireRecord = {};
  for (const child of element.children) {
    const name = child.localName;
    if (child.namespaceURI !== POPULATION_NAMESPACE) {
      throw populationErrors.malformed(`element ${name} from outside the contract's namespace`);
    }
    if (name in record) throw populationErrors.malformed(`element ${name} appears twice`);
    record[name] = child.children.length > 0 ? toRecord(child) : child.text;
  }
  return record;
}
