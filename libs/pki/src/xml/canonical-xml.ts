/**
 * Helpers that write XML directly in its exclusive canonical form (Exclusive XML Canonicalization 1.0,
 * without comments): no empty-element tags, text escaped exactly as c14n escapes it, one namespace
 * declaration on the element that is signed (a default namespace its children inherit), no attributes
 * on children. A document written with them needs no canonicalisation step before it is digested, which
 * is what makes signing cheap (see XmlSigner).
 */

/** Characters XML 1.0 does not allow in a document, even escaped. */
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const TEXT_SPECIALS = /[&<>\r]/g;
const ATTRIBUTE_SPECIALS = /[&<"\t\n\r]/g;
const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' };
const ATTRIBUTE_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '"': '&quot;',
  '\t': '&#x9;',
  '\n': '&#xA;',
  '\r': '&#xD;',
};
const NAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;

/** Thrown when a value cannot be written to an XML document at all. */
export class XmlWriteError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'XmlWriteError';
  }
}

/** Escapes character data as c14n writes it (`&`, `<`, `>`, CR). */
export function c14nText(value: string): string {
  if (FORBIDDEN_CHARACTERS.test(value)) {
    throw new XmlWriteError('text contains a character XML does not allow');
  }
  return value.replace(TEXT_SPECIALS, (c) => TEXT_ESCAPES[c]);
}

/** Escapes an attribute value as c14n writes it (`&`, `<`, `"`, TAB, LF, CR). */
export function c14nAttribute(value: string): string {
  if (FORBIDDEN_CHARACTERS.test(value)) {
    throw new XmlWriteError('attribute contains a character XML does not allow');
  }
  return value.replace(ATTRIBUTE_SPECIALS, (c) => ATTRIBUTE_ESCAPES[c]);
}

function checkName(name: string): string {
  if (!NAME.test(name)) throw new XmlWriteError(`"${name}" is not an element name this writer accepts`);
  return name;
}

/** `<name>text</name>` in canonical form; empty string when `value` is undefined or empty. */
export function textElement(name: string, value: string | number | undefined | null): string {
  if (value === undefined || value === null || value === '') return '';
  return `<${checkName(name)}>${c14nText(String(value))}</${name}>`;
}

/** `<name>children</name>` in canonical form; empty string when there are no children. */
export function parentElement(name: string, children: string): string {
  if (children === '') return '';
  return `<${checkName(name)}>${children}</${name}>`;
}

/**
 * The start tag of an element carrying a default namespace declaration and an `Id` attribute, in canonical
 * order (namespace declarations first, then attributes by name).
 */
export function rootStartTag(localName: string, namespace: string, id: string): string {
  return `<${checkName(localName)} xmlns="${c14nAttribute(namespace)}" Id="${c14nAttribute(id)}">`;
}
