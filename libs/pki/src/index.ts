export * from './pki.errors';
export * from './dev-pki';
export * from './certificate-info';
export * from './xml/canonical-xml';
export * from './xml/xml-reader';
export * from './xml/xml-signature.profile';
export * from './xml/xml-signer';
export * from './xml/xml-signature-verifier';
