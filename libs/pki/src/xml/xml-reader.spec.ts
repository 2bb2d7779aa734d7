import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readXml, XmlElement, XmlParseError } from '../index';

const FIXTURES = join(__dirname, '..', '..', '..', 'adapters', 'population', 'test-fixtures');

/** A comparable view of a tree: names, namespaces, attributes, text, children. */
function shape(element: XmlElement): unknown {
  return {
    name: element.localName,
    prefix: element.prefix,
    ns: element.namespaceURI,
    attributes: element.attributes.map((a) => [a.name, a.namespaceURI, a.value]),
    text: element.text,
    children: element.children.map(shape),
  };
}

function both(source: string): { canonical: unknown; dom: unknown; reader: string } | 'parse-error' {
  let dom: unknown;
  try {
    dom = shape(readXml(source, { dom: true }).root);
  } catch (error) {
    if (!(error instanceof XmlParseError)) throw error;
    dom = 'parse-error';
  }
  let canonical: unknown;
  let reader = 'dom';
  try {
    const read = readXml(source);
    reader = read.reader;
    canonical = shape(read.root);
  } catch (error) {
    if (!(error instanceof XmlParseError)) throw error;
    canonical = 'parse-error';
  }
  if (dom === 'parse-error' && canonical === 'parse-error') return 'parse-error';
  return { canonical, dom, reader };
}

describe('XML reader', () => {
  const samples = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.xml') && !f.includes('truncated'))
    .map((f) => readFileSync(join(FIXTURES, f), 'utf8'));

  it('reads the recorded SOAP messages with the canonical reader, exactly as the DOM parser does', () => {
    for (const sample of samples) {
      const result = both(sample);
      expect(result).not.toBe('parse-error');
      const { canonical, dom, reader } = result as { canonical: unknown; dom: unknown; reader: string };
      expect(reader).toBe('canonical');
      expect(canonical).toEqual(dom);
    }
  });

  it('agrees with the DOM parser on namespaces, references, quotes, whitespace and empty elements', () => {
    const documents = [
      `<?xml version="1.0" encoding="utf-8"?>\n<a:x xmlns:a="urn:a" xmlns="urn:d" b:y='1 &amp; 2' xmlns:b="urn:b">\n  <y>&lt;tag&gt; &#x1EA1;&#233; "q" 'a'</y><a:z/><w xmlns="">t</w><v xml:lang="vi">Việt</v></a:x>\n`,
      `<r><x xmlns:p="urn:1"><p:y><x xmlns:p="urn:2"><p:y/></x></p:y></x></r>`,
      `<r   a="1"\n b="2" ><c  /></r  >`,
    ];
    for (const document of documents) {
      const { canonical, dom, reader } = both(document) as {
        canonical: unknown;
        dom: unknown;
        reader: string;
      };
      expect(reader).toBe('canonical');
      expect(canonical).toEqual(dom);
    }
  });

  it('leaves comments, CDATA, processing instructions and CR to the DOM parser, and refuses a DTD', () => {
    for (const document of [
      '<a><!-- note --><b>x</b></a>',
      '<a><![CDATA[<b>]]></a>',
      '<a><?pi data?></a>',
      '<a>line\r\nbreak</a>',
      '<a b="x&#x9;y"/>',
      '<tên>x</tên>',
    ]) {
      const read = readXml(document);
      expect(read.reader).toBe('dom');
      expect(shape(read.root)).toEqual(shape(readXml(document, { dom: true }).root));
    }
    expect(() => readXml('<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>')).toThrow(XmlParseError);
  });

  it('refuses what is not well-formed, with either reader', () => {
    for (const document of [
      '',
      'text',
      '<a>',
      '<a></b>',
      '<a><b></a></b>',
      '<a/><b/>',
      '<a>&unknown;</a>',
      '<a b="1" b="2"/>',
      '<p:a/>',
      '<a b=1/>',
      '<a>x</a>trailing',
    ]) {
      expect(() => readXml(document)).toThrow(XmlParseError);
    }
  });

  it('never reads a damaged document differently from the DOM parser', () => {
    // Deterministic pseudo-random damage to real messages: whatever one reader accepts, the other reads the same.
    let state = 12345;
    const random = (n: number) => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    const alphabet = [
      '<',
      '>',
      '/',
      '"',
      "'",
      '=',
      '&',
      ';',
      ' ',
      'x',
      ':',
      '!',
      '?',
      '-',
      '\n',
      'amp;',
      'lt;',
      '#',
    ];
    let disagreements = 0;
    let checked = 0;
    for (let round = 0; round < 3_000; round++) {
      const base = samples[random(samples.length)];
      let damaged = base;
      for (let edits = 1 + random(3); edits > 0; edits--) {
        const at = random(damaged.length);
        const kind = random(3);
        if (kind === 0) damaged = damaged.slice(0, at) + damaged.slice(at + 1 + random(4));
        else if (kind === 1)
          damaged = damaged.slice(0, at) + alphabet[random(alphabet.length)] + damaged.slice(at);
        else damaged = damaged.slice(0, at) + alphabet[random(alphabet.length)] + damaged.slice(at + 1);
      }
      const result = both(damaged);
      if (result === 'parse-error') continue;
      checked++;
      if (JSON.stringify(result.canonical) !== JSON.stringify(result.dom)) disagreements++;
    }
    expect(checked).toBeGreaterThan(100);
    expect(disagreements).toBe(0);
  });
});
