import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '@sinclair/typebox';
import { bodyTextProblem, errorCodeOf, hardenSchema, validationMessage, validatorCompiler } from './schema.js';

const compile = validatorCompiler();
const check = (schema: unknown, httpPart: 'querystring' | 'body' | 'params', data: unknown) => {
  const v = compile({ schema: schema as never, httpPart, method: 'GET', url: '/' }) as unknown as ((d: unknown) => boolean) & { errors: any[] | null };
  const ok = v(data);
  return { ok, errors: v.errors ?? [] };
};

test('hardening adds limits a schema forgot, without touching the declared schema', () => {
  const declared = Type.Object({
    s: Type.String(), n: Type.Integer({ minimum: 0 }), m: Type.String({ 'x-multiline': true }),
    e: Type.Union([Type.Literal('a'), Type.Literal('b')]), nested: Type.Array(Type.Object({ x: Type.Number() })),
  });
  const h = hardenSchema(declared, 'body') as any;
  assert.equal(h.properties.s.maxLength, 65536);
  assert.equal(h.properties.s['x-line'], true);
  assert.deepEqual([h.properties.n.minimum, h.properties.n.maximum], [0, Number.MAX_SAFE_INTEGER]);
  assert.equal(h.properties.m['x-line'], undefined);
  assert.deepEqual([h.properties.e.type, h.properties.e.enum, h.properties.e.anyOf], ['string', ['a', 'b'], undefined]);
  assert.deepEqual([h.properties.nested.items.properties.x.minimum, h.properties.nested.items.properties.x.maximum], [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]);
  assert.equal((declared.properties.s as any).maxLength, undefined, 'a copy');
  assert.equal((hardenSchema(Type.Object({ p: Type.String() }), 'params') as any).properties.p.maxLength, 1024);
  assert.equal((hardenSchema(Type.Optional(Type.Object({})), 'body') as any)['x-optional'], true);
});

test('query and path text becomes a number or boolean only when written canonically', () => {
  const q = hardenSchema(Type.Object({ n: Type.Optional(Type.Integer({ minimum: -5, maximum: 1000 })), f: Type.Optional(Type.Number({ minimum: 0, maximum: 10 })), b: Type.Optional(Type.Boolean()), e: Type.Optional(Type.Unsafe({ type: 'integer', enum: [0, 1, 3, 7] })) }), 'querystring');
  for (const [k, v, want] of [['n', '0', 0], ['n', '-5', -5], ['n', '1000', 1000], ['f', '2.5', 2.5], ['b', 'true', true], ['b', 'false', false], ['e', '7', 7]] as const) {
    const data: Record<string, unknown> = { [k]: v };
    assert.equal(check(q, 'querystring', data).ok, true, `${k}=${v}`);
    assert.equal(data[k], want);
  }
  for (const [k, v] of [['n', '1e3'], ['n', '1E1'], ['n', '0x10'], ['n', 'Infinity'], ['n', 'NaN'], ['n', '1.0'], ['n', '+1'], ['n', '01'], ['n', ' 1'], ['n', ''], ['n', '1001'], ['n', '-6'],
    ['n', '99999999999999999999'], ['f', '1e0'], ['f', '.5'], ['f', '11'], ['b', '1'], ['b', 'TRUE'], ['b', 'yes'], ['e', '2'], ['e', '7.0']] as const) {
    assert.equal(check(q, 'querystring', { [k]: v }).ok, false, `${k}=${JSON.stringify(v)}`);
  }
  assert.equal(check(q, 'querystring', { n: ['1', '2'] }).ok, false, 'a repeated scalar');
});

test('strings: single-line unless multiline; bodies well-formed, NUL-free, nested at most 32 levels', () => {
  const s = hardenSchema(Type.Object({ name: Type.String(), note: Type.Optional(Type.String({ 'x-multiline': true })) }), 'body');
  assert.equal(check(s, 'body', { name: 'ok name ✓ 日本 😀' }).ok, true);
  assert.equal(check(s, 'body', { name: 'x', note: 'two\nlines\ttab' }).ok, true);
  for (const bad of ['a\nb', 'a\tb', 'a\u001bb', 'a\u007fb']) assert.equal(check(s, 'body', { name: bad }).ok, false, JSON.stringify(bad));
  for (const body of [{ name: 'a\ud800' }, { name: 'x', note: '\udc00' }, { name: 'x', extra: 'a\u0000b' }, { name: 'x', ['k\ud83d']: 1 }, { name: 'x', deep: [[['\ud800']]] }]) {
    const r = check(s, 'body', body);
    assert.equal(r.ok, false, JSON.stringify(body));
  }
  assert.equal(check(s, 'body', { name: 'pair 😀 ok' }).ok, true);
  let deep: unknown = 1;
  for (let i = 0; i < 40; i++) deep = [deep];
  assert.match(bodyTextProblem({ deep })!.message!, /nest deeper than 32/);
  assert.equal(bodyTextProblem({ a: [[[[1]]]] }), null);
});

test('optional bodies may be absent; required ones may not', () => {
  assert.equal(check(hardenSchema(Type.Optional(Type.Object({ a: Type.Optional(Type.String()) })), 'body'), 'body', null).ok, true);
  assert.equal(check(hardenSchema(Type.Object({ a: Type.Optional(Type.String()) }), 'body'), 'body', null).ok, false);
});

test('a schema can name the code of its violations; messages list allowed values', () => {
  const s = hardenSchema(Type.Object({ agency: Type.String({ pattern: '^[a-z]+$', 'x-error-code': 'CSS.5130' }), level: Type.Optional(Type.Union([Type.Literal('a'), Type.Literal('b')])) }), 'body');
  const r = check(s, 'body', { agency: 'A B' });
  assert.equal(errorCodeOf(r.errors), 'CSS.5130');
  const e = check(s, 'body', { agency: 'ok', level: 'c' });
  assert.equal(errorCodeOf(e.errors), undefined);
  assert.equal(validationMessage('body', e.errors), 'body/level must be one of: "a", "b"');
});

test('declared formats are enforced', () => {
  const s = hardenSchema(Type.Object({ url: Type.String({ format: 'uri' }), at: Type.Optional(Type.String({ format: 'date-time' })) }), 'body');
  assert.equal(check(s, 'body', { url: 'https://example.com/hook', at: '2026-01-02T03:04:05Z' }).ok, true);
  assert.equal(check(s, 'body', { url: 'not a uri' }).ok, false);
  assert.equal(check(s, 'body', { url: 'https://example.com', at: 'yesterday' }).ok, false);
});
