import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isJsonMediaType, parseJson, urlProblem } from './input.js';

test('URLs: valid percent-encoding that decodes to UTF-8 text without control characters', () => {
  for (const ok of ['/v1.0/p/clusters', '/a/%E6%97%A5?x=%20y&z=+&w', '/a?x=1&x=2', '/a/b%2Fc', '/a?x=%F0%9F%98%80']) assert.equal(urlProblem(ok), null, ok);
  for (const bad of ['/a/%ZZ', '/a/%', '/a/%E2%82', '/a/%FF', '/a/%ED%A0%80', '/a/%C0%AF', '/a?x=%ZZ', '/a?%ZZ=1']) assert.match(urlProblem(bad)!, /malformed/, bad);
  for (const bad of ['/a/%00', '/a?x=%0A', '/a?x=%1B', '/a?x=%7F', '/a?x=%C2%85']) assert.match(urlProblem(bad)!, /control character/, bad);
  for (const bad of ['/a/é', '/a b', '/a\u0000']) assert.match(urlProblem(bad)!, /percent-encoded/, bad);
});

test('media type: application/json in any case, with any parameters; nothing else', () => {
  for (const ok of ['application/json', 'Application/JSON', 'application/json; charset=utf-8', ' application/json ;charset=UTF-8;x=y']) assert.equal(isJsonMediaType(ok), true, ok);
  for (const bad of [undefined, '', 'text/plain', 'application/jsonx', 'application/json-patch+json', 'text/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'json', 'application/xml; x=application/json']) {
    assert.equal(isJsonMediaType(bad), false, String(bad));
  }
});

test('JSON bodies: UTF-8 only (a BOM is skipped), syntax errors named', () => {
  assert.deepEqual(parseJson(Buffer.from('{"a":"日本"}')), { value: { a: '日本' } });
  assert.deepEqual(parseJson(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('[1]')])), { value: [1] });
  assert.deepEqual(parseJson(Buffer.from([0x22, 0xff, 0x22])), { problem: 'The request body is not valid UTF-8.' });
  assert.deepEqual(parseJson(Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22])), { problem: 'The request body is not valid UTF-8.' });
  assert.match((parseJson(Buffer.from('{"a":')) as { problem: string }).problem, /not valid JSON/);
  assert.equal((parseJson(Buffer.from('1e400')) as { value: number }).value, Infinity, 'parsed; the schema refuses it');
});
