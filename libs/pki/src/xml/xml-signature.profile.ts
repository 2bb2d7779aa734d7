/**
 * The XML signature profile shared by the population simulator and the gateway's adapter (XML-DSig 1.0):
 * - enveloped signature: ds:Signature is the last child of the signed element;
 * - one Reference, `URI="#<Id of the signed element>"`, transforms enveloped-signature then exclusive c14n;
 * - SHA-256 digest, RSA-SHA256 signature, exclusive c14n (no comments) for SignedInfo;
 * - KeyInfo/X509Data/X509Certificate with the signer's certificate (informative only: verifiers pin the
 *   certificate they trust and never take the key from the message).
 */
export const XMLDSIG_NAMESPACE = 'http://www.w3.org/2000/09/xmldsig#';
export const EXCLUSIVE_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
export const ENVELOPED_SIGNATURE = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
export const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
export const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';

/** Name of the attribute the Reference URI points at. */
export const ID_ATTRIBUTE = 'Id';
