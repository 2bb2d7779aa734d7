/**
 * Measures what reading a signed answer costs on this machine, on the recorded lookup answer: the two
 * parsers the design card names (@xmldom/xmldom, xml2js), the canonical reader of @lienthong/pki, and
 * reading plus signature verification on each path. Run from the repository root after a build:
 *
 *   npm run build --silent && node dist/libs/adapters/population/test-fixtures/measure-parsing.js
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import { parseString } from 'xml2js';
import { repoRoot } from '@lienthong/config';
import { readXml, XmlSignatureVerifier } from '@lienthong/pki';

function median(fn: () => unknown, rounds = 5, iterations = 1_500): number {
  for (let i = 0; i < iterations; i++) fn();
  const runs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    runs.push(Number(process.hrtime.bigint() - started) / iterations / 1_000);
  }
  return runs.sort((a, b) => a - b)[Math.floor(rounds / 2)];
}

function main(): void {
  const dir = join(repoRoot(), 'libs', 'adapters', 'population', 'test-fixtures');
  const xml = readFileSync(join(dir, 'lookup-ok.xml'), 'utf8');
  const verifier = new XmlSignatureVerifier({
    trustedCertificates: readFileSync(join(dir, 'population-signer.crt'), 'utf8'),
  });
  const strict = {
    onError: (_level: string, message: string) => {
      throw new Error(message);
    },
  };
  const cases: [string, () => unknown][] = [
    ['parse: @xmldom/xmldom', () => new DOMParser(strict).parseFromString(xml, 'text/xml')],
    [
      'parse: xml2js',
      () => {
        let result: unknown;
        parseString(xml, { explicitArray: false, async: false }, (_error, value) => (result = value));
        return result;
      },
    ],
    ['parse: canonical reader', () => readXml(xml)],
    [
      'parse + verify: canonical bytes',
      () => {
        const document = readXml(xml);
        return verifier.verify(document, document.root.children[0].children[0]);
      },
    ],
    [
      'parse + verify: DOM + exclusive c14n',
      () => {
        const document = readXml(xml, { dom: true });
        return verifier.verify(document, document.root.children[0].children[0]);
      },
    ],
  ];
  console.log(`lookup answer, ${Buffer.byteLength(xml)} bytes; median µs per call`);
  for (const [name, fn] of cases) console.log(`${name.padEnd(40)} ${median(fn).toFixed(1)}`);
}

if (require.main === module) main();
