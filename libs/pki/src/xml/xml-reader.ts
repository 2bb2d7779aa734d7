import { DOMParser, Element as DomElement } from '@xmldom/xmldom';

/**
 * A small element tree read from an XML document, by one of two readers:
 *
 * - `canonical`: a strict, allocation-light reader for the subset of XML that canonical documents (and the
 *   documents this project writes) use: an optional XML declaration, elements, attributes in double or single
 *   quotes, character data with the predefined and numeric character references. It keeps each element's
 *   offsets in the source so a signature can be checked on the exact bytes (see XmlSignatureVerifier).
 *   Anything else (comments, CDATA, processing instructions, a DOCTYPE, non-ASCII names, CR or TAB/LF in
 *   attribute values) makes it step aside;
 * - `dom`: @xmldom/xmldom with every warning and error fatal, for everything the first reader leaves.
 *
 * Both give the same tree for the same well-formed document. The canonical reader exists for speed: the
 * DOM parser builds regular expressions while it parses and costs several times more on the lookup path.
 */

export interface XmlAttribute {
  /** Qualified name as written, e.g. `Id`, `xmlns:ds`, `xml:lang`. */
  readonly name: string;
  readonly prefix: string;
  readonly localName: string;
  readonly namespaceURI: string | null;
  readonly value: string;
}

export interface XmlElement {
  readonly prefix: string;
  readonly localName: string;
  readonly namespaceURI: string | null;
  readonly attributes: readonly XmlAttribute[];
  /** Element children, in order (the signature verifier removes a verified enveloped signature from here). */
  readonly children: XmlElement[];
  /** Character data directly inside the element (not in children), references decoded. */
  readonly text: string;
  readonly parent: XmlElement | null;
  /** Offsets in the source (canonical reader): start tag `<`, after its `>`, after the end tag's `>`. */
  readonly start: number;
  readonly startTagEnd: number;
  readonly end: number;
  /** The DOM node (dom reader). */
  readonly dom?: DomElement;
}

export interface XmlDocument {
  readonly source: string;
  readonly root: XmlElement;
  readonly reader: 'canonical' | 'dom';
}

/** The document is not well-formed XML, or uses what SOAP messages must not (a DTD). */
export class XmlParseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'XmlParseError';
  }
}

export function attributeOf(element: XmlElement, name: string): string | undefined {
  for (const attribute of element.attributes) if (attribute.name === name) return attribute.value;
  return undefined;
}

export function childElement(
  element: XmlElement,
  localName: string,
  namespaceURI?: string | null,
): XmlElement | undefined {
  for (const child of element.children) {
    if (child.localName === localName && (namespaceURI === undefined || child.namespaceURI === namespaceURI))
      return child;
  }
  return undefined;
}

/** Reads a document: the canonical reader first, the DOM reader when it steps aside (or when `dom` is asked). */
export function readXml(source: string, options: { dom?: boolean } = {}): XmlDocument {
  if (!options.dom) {
    const root = readCanonical(source);
    if (root) return { source, root, reader: 'canonical' };
  }
  return { source, root: readWithDom(source), reader: 'dom' };
}

// ---------------------------------------------------------------------------------------------------------
// DOM reader

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;

function readWithDom(source: string): XmlElement {
  let root: DomElement | null;
  try {
    const document = new DOMParser({
      onError: (level, message) => {
        throw new Error(`${level}: ${message}`);
      },
    }).parseFromString(source, 'text/xml');
    if (document.doctype) throw new Error('a document type declaration is not allowed');
    root = document.documentElement;
  } catch (error) {
    throw new XmlParseError(`not well-formed XML (${(error as Error).message.split('\n')[0]})`, {
      cause: error,
    });
  }
  if (!root) throw new XmlParseError('no root element');
  return fromDom(root, null);
}

/** The tree of an element already parsed by @xmldom/xmldom (and of everything below it). */
export function fromDom(node: DomElement, parent: XmlElement | null = null): XmlElement {
  const attributes: XmlAttribute[] = [];
  for (let i = 0; i < node.attributes.length; i++) {
    const a = node.attributes[i];
    attributes.push({
      name: a.name,
      prefix: a.prefix ?? '',
      localName: a.localName ?? a.name,
      namespaceURI: a.namespaceURI ?? null,
      value: a.value,
    });
  }
  const children: XmlElement[] = [];
  let text = '';
  const element: XmlElement = {
    prefix: node.prefix ?? '',
    localName: node.localName ?? node.nodeName,
    namespaceURI: node.namespaceURI ?? null,
    attributes,
    children,
    get text() {
      return text;
    },
    parent,
    start: -1,
    startTagEnd: -1,
    end: -1,
    dom: node,
  };
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === ELEMENT_NODE) children.push(fromDom(child as DomElement, element));
    else if (child.nodeType === TEXT_NODE || child.nodeType === CDATA_SECTION_NODE)
      text += child.nodeValue ?? '';
  }
  return element;
}

// ---------------------------------------------------------------------------------------------------------
// Canonical reader. Returns undefined whenever the input is outside its subset (the DOM reader then decides
// whether the document is well-formed).

const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NAMESPACE = 'http://www.w3.org/2000/xmlns/';
const NAME = /^[A-Za-z_][A-Za-z0-9._-]*(?::[A-Za-z_][A-Za-z0-9._-]*)?$/;

interface MutableElement {
  prefix: string;
  localName: string;
  namespaceURI: string | null;
  attributes: XmlAttribute[];
  children: XmlElement[];
  text: string;
  parent: XmlElement | null;
  start: number;
  startTagEnd: number;
  end: number;
  qname: string;
  scope: Map<string, string>;
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x09 || code === 0x0d;
}

/** Character data with references decoded; undefined for anything outside the subset. */
// eslint-disable-next-line no-control-regex
const OUTSIDE_SUBSET = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\r\uFFFE\uFFFF]|\]\]>/;

function decode(raw: string, attribute: boolean): string | undefined {
  if (OUTSIDE_SUBSET.test(raw)) return undefined;
  if (attribute && (raw.includes('\n') || raw.includes('\t'))) return undefined;
  if (!raw.includes('&')) return raw;
  let out = '';
  let i = 0;
  for (;;) {
    const amp = raw.indexOf('&', i);
    if (amp === -1) return out + raw.slice(i);
    out += raw.slice(i, amp);
    const semi = raw.indexOf(';', amp);
    if (semi === -1) return undefined;
    const ref = raw.slice(amp + 1, semi);
    switch (ref) {
      case 'lt':
        out += '<';
        break;
      case 'gt':
        out += '>';
        break;
      case 'amp':
        out += '&';
        break;
      case 'quot':
        out += '"';
        break;
      case 'apos':
        out += "'";
        break;
      default: {
        const code = /^#x[0-9A-Fa-f]{1,6}$/.test(ref)
          ? parseInt(ref.slice(2), 16)
          : /^#[0-9]{1,7}$/.test(ref)
            ? parseInt(ref.slice(1), 10)
            : -1;
        // Only characters XML allows; CR/TAB/LF references are left to the DOM reader (normalisation rules).
        if (
          code < 0x20 ||
          code > 0x10ffff ||
          (code >= 0xd800 && code <= 0xdfff) ||
          code === 0xfffe ||
          code === 0xffff
        ) {
          return undefined;
        }
        out += String.fromCodePoint(code);
      }
    }
    i = semi + 1;
  }
}

function readCanonical(source: string): XmlElement | undefined {
  let pos = 0;
  if (source.startsWith('<?xml')) {
    const close = source.indexOf('?>');
    if (close === -1) return undefined;
    if (
      !/^<\?xml\s+version="1\.[0-9]"(\s+encoding="UTF-8")?(\s+standalone="(yes|no)")?\s*\?>$/i.test(
        source.slice(0, close + 2),
      )
    ) {
      return undefined;
    }
    pos = close + 2;
  }
  const stack: MutableElement[] = [];
  let root: MutableElement | undefined;
  const rootScope = new Map<string, string>([['xml', XML_NAMESPACE]]);

  while (pos < source.length) {
    const lt = source.indexOf('<', pos);
    const textEnd = lt === -1 ? source.length : lt;
    if (textEnd > pos) {
      const raw = source.slice(pos, textEnd);
      const current = stack[stack.length - 1];
      if (!current) {
        for (let i = 0; i < raw.length; i++) if (!isSpace(raw.charCodeAt(i))) return undefined;
      } else {
        const text = decode(raw, false);
        if (text === undefined) return undefined;
        current.text += text;
      }
    }
    if (lt === -1) break;
    const next = source.charCodeAt(lt + 1);
    if (next === 0x21 /* ! */ || next === 0x3f /* ? */) return undefined;
    const gt = source.indexOf('>', lt);
    if (gt === -1) return undefined;

    if (next === 0x2f /* / */) {
      const name = source.slice(lt + 2, gt).trimEnd();
      const open = stack.pop();
      if (!open || open.qname !== name) return undefined;
      open.end = gt + 1;
      pos = gt + 1;
      continue;
    }

    if (root && stack.length === 0) return undefined;
    let inner = source.slice(lt + 1, gt);
    const selfClosing = inner.endsWith('/');
    if (selfClosing) inner = inner.slice(0, -1);
    if (inner.includes('<')) return undefined;
    let nameEnd = 0;
    while (nameEnd < inner.length && !isSpace(inner.charCodeAt(nameEnd))) nameEnd++;
    const qname = inner.slice(0, nameEnd);
    if (!NAME.test(qname)) return undefined;

    // Attributes, then namespace scope.
    const raw: [string, string][] = [];
    let i = nameEnd;
    for (;;) {
      while (i < inner.length && isSpace(inner.charCodeAt(i))) i++;
      if (i >= inner.length) break;
      if (i === nameEnd) return undefined;
      const eq = inner.indexOf('=', i);
      if (eq === -1) return undefined;
      const name = inner.slice(i, eq).trimEnd();
      if (!NAME.test(name)) return undefined;
      let q = eq + 1;
      while (q < inner.length && isSpace(inner.charCodeAt(q))) q++;
      const quote = inner[q];
      if (quote !== '"' && quote !== "'") return undefined;
      const close = inner.indexOf(quote, q + 1);
      if (close === -1) return undefined;
      const value = decode(inner.slice(q + 1, close), true);
      if (value === undefined) return undefined;
      if (raw.some(([n]) => n === name)) return undefined;
      raw.push([name, value]);
      i = close + 1;
      if (i < inner.length && !isSpace(inner.charCodeAt(i))) return undefined;
    }

    const parent = stack[stack.length - 1];
    let scope = parent ? parent.scope : rootScope;
    for (const [name, value] of raw) {
      if (name === 'xmlns' || name.startsWith('xmlns:')) {
        if (scope === (parent ? parent.scope : rootScope)) scope = new Map(scope);
        const declared = name === 'xmlns' ? '' : name.slice(6);
        if (declared === 'xml' || declared === 'xmlns' || (declared !== '' && value === '')) return undefined;
        scope.set(declared, value);
      }
    }
    const colon = qname.indexOf(':');
    const prefix = colon === -1 ? '' : qname.slice(0, colon);
    const namespaceURI = scope.get(prefix);
    if (prefix !== '' && namespaceURI === undefined) return undefined;

    const attributes: XmlAttribute[] = raw.map(([name, value]) => {
      const c = name.indexOf(':');
      const attributePrefix = c === -1 ? '' : name.slice(0, c);
      const isDeclaration = name === 'xmlns' || attributePrefix === 'xmlns';
      const attributeNamespace = isDeclaration
        ? XMLNS_NAMESPACE
        : attributePrefix === ''
          ? null
          : (scope.get(attributePrefix) ?? null);
      return {
        name,
        prefix: attributePrefix,
        localName: c === -1 ? name : name.slice(c + 1),
        namespaceURI: attributeNamespace,
        value,
      };
    });
    for (const attribute of attributes) {
      if (attribute.prefix !== '' && attribute.prefix !== 'xmlns' && attribute.namespaceURI === null)
        return undefined;
    }

    const element: MutableElement = {
      prefix,
      localName: colon === -1 ? qname : qname.slice(colon + 1),
      namespaceURI: namespaceURI === '' || namespaceURI === undefined ? null : namespaceURI,
      attributes,
      children: [],
      text: '',
      parent: (parent as unknown as XmlElement) ?? null,
      start: lt,
      startTagEnd: gt + 1,
      end: selfClosing ? gt + 1 : -1,
      qname,
      scope,
    };
    if (parent) parent.children.push(element as unknown as XmlElement);
    else root = element;
    if (!selfClosing) stack.push(element);
    pos = gt + 1;
  }
  if (!root || stack.length > 0) return undefined;
  return root as unknown as XmlElement;
}
