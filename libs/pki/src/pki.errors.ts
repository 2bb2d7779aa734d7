/** Raised when the development PKI is missing, incomplete or unusable. */
export class PkiError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Why an XML signature was not accepted; stable values callers may branch on. */
export type XmlSignatureFailure =
  /** No ds:Signature where the profile expects one (last child of the signed element). */
  | 'MISSING_SIGNATURE'
  /** More than one ds:Signature, or signature elements in unexpected places. */
  | 'UNEXPECTED_SIGNATURE_LAYOUT'
  /** An algorithm outside the profile (c14n, signature, digest or transform). */
  | 'UNSUPPORTED_ALGORITHM'
  /** The reference does not point at the signed element, or its Id is not unique in the document. */
  | 'REFERENCE_MISMATCH'
  /** The signed element was changed after signing. */
  | 'DIGEST_MISMATCH'
  /** SignedInfo was not signed by the trusted key (or was changed). */
  | 'SIGNATURE_MISMATCH'
  /** KeyInfo names a certificate other than the trusted one. */
  | 'UNTRUSTED_CERTIFICATE';

/** An XML signature failed verification under the profile; `reason` says why. */
export class XmlSignatureError extends Error {
  constructor(
    readonly reason: XmlSignatureFailure,
    message: string,
  ) {
    super(message);
    this.name = 'XmlSignatureError';
  }
}
