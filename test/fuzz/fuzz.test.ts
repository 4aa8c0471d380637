/**
 * The generated fuzz suite (docs/errors.md, "Fuzz suite"). For every operation of the served
 * /openapi.json, fast-check sends correctly signed requests (the official SDK signer; the
 * admin token for admin operations) with one input broken — wrong types, out-of-range and
 * non-canonical numbers, oversized and unclean strings, bad percent-encodings, missing and
 * extra fields, wrong content types, malformed JSON, unknown enum values, long path
 * parameters — and holds the server to: a 4xx with the expected code, X-Request-Id, a body in
 * the owning service's style, nothing stored (every table and every object compared before
 * and after), a healthy server. Then every answer seen is scanned for framework default bodies.
 *
 * LOGSNAP_FUZZ_SEED fixes the seed (default: varies per run, printed); LOGSNAP_FUZZ_RUNS sets
 * the requests per operation (default 50); a failure prints the seed, the fast-check path and
 * the request.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { engines, startServer, type TestServer } from '../helpers/server.js';
import { signRaw } from '../helpers/sdk.js';
import { assertErrorAnswer, isFrameworkBody, send, type Answer } from '../helpers/errors.js';
import { fingerprint, stateDiff } from '../helpers/state.js';
import { baseRequest, localValidators, mutants, operations, type Fixtures, type Mutant, type Operation } from './operations.js';

const SEED = Number(process.env.LOGSNAP_FUZZ_SEED ?? Date.now() % 2_147_483_647);
const RUNS = Number(process.env.LOGSNAP_FUZZ_RUNS ?? 50);
/** a per-operation cap, so a slow machine cannot take the suite past a minute per engine */
const TIME_LIMIT_MS = Number(process.env.LOGSNAP_FUZZ_OP_MS ?? 1200);
console.log(`fuzz: seed ${SEED} (set LOGSNAP_FUZZ_SEED=${SEED} to replay), ${RUNS} requests per operation`);

function describeRequest(m: Mutant): string {
  const body = m.body ? JSON.stringify(m.body.toString('latin1').slice(0, 400)) : '(none)';
  return `${m.kind}: ${m.method} ${m.path}${m.query ? `?${m.query.slice(0, 300)}` : ''} content-type=${m.headers['content-type'] ?? '(none)'} body=${body}`;
}

for (const { engine, skip } of await engines()) {
  describe(`fuzz every operation on ${engine}`, { skip }, () => {
    let s: TestServer;
    let dir: string;
    let ops: Operation[];
    let fx: Fixtures;
    const seen: { op: string; request: string; answer: Answer }[] = [];
    const perOp: Record<string, number> = {};

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'logsnap-fuzz-'));
      // API role: no worker or scheduler writes anything, so any change to the state is a request's
      s = await startServer({ engine, config: { core: { role: 'api' } } });
      const reg = async (service: 'css' | 'dcs' | 'cce' | 'dws', engineConfig: unknown) =>
        (await s.rt.deps.clusters.register({ projectId: s.projectId, service, name: `fuzz-${service}`, engine: engineConfig })).id;
      fx = {
        projectId: s.projectId,
        seed: SEED,
        clusterOf: {
          css: await reg('css', { nodes: [{ name: 'n1', logDir: dir }] }),
          dcs: await reg('dcs', { nodes: [{ replicationId: 'r1', ip: '10.0.0.1', url: 'redis://127.0.0.1:1' }] }),
          cce: await reg('cce', { endpoints: ['http://127.0.0.1:1'] }),
          dws: await reg('dws', { url: 'postgres://u:p@127.0.0.1:1/db' }),
        },
      };
      const doc = (await (await fetch(`${s.url}/openapi.json`)).json()) as never;
      ops = operations(doc);
    });
    after(async () => {
      await s?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const sendMutant = async (op: Operation, m: Mutant): Promise<Answer> => {
      let headers = m.headers;
      if (op.auth === 'project') headers = signRaw(s.url, { ak: s.ak, sk: s.sk, projectId: s.projectId }, m);
      else if (op.auth === 'admin') headers = { ...headers, authorization: `Bearer ${s.adminToken}` };
      const answer = await send(s.url, { method: m.method, path: m.path, query: m.query, headers, body: m.body });
      seen.push({ op: op.id, request: describeRequest(m), answer });
      perOp[op.id] = (perOp[op.id] ?? 0) + 1;
      return answer;
    };

    test('every operation of the OpenAPI document: mutated inputs are refused in the owner\'s style and change nothing', async (t) => {
      assert.ok(ops.length >= 40, `the document lists ${ops.length} operations`);
      t.diagnostic(`seed ${SEED}; ${ops.length} operations`);
      const failures: string[] = [];
      for (const op of ops) {
        const base = baseRequest(op, fx);
        // the base request is valid by the document's own schemas: a refusal can only come from the mutation
        const v = localValidators(op);
        assert.ok(v.query(base.query), `${op.id}: base query ${JSON.stringify(base.query)} is not valid`);
        assert.ok(v.body(base.body), `${op.id}: base body ${JSON.stringify(base.body)} is not valid`);
        const { arb, kinds } = mutants(op, base, fx);
        const before = await fingerprint(s);
        const result = await fc.check(
          fc.asyncProperty(arb, async (m) => {
            const a = await sendMutant(op, m);
            const what = `${op.id} ${describeRequest(m)}`;
            assert.ok(a.status < 500, `${what}: a 5xx (${a.status}): ${a.text.slice(0, 300)}`);
            const b = assertErrorAnswer(a, op.owner, what);
            assert.ok(m.expect.statuses.includes(a.status), `${what}: status ${a.status}, expected ${m.expect.statuses.join('|')}: ${b.error_msg}`);
            assert.ok(m.expect.codes.includes(b.error_code), `${what}: code ${b.error_code}, expected ${m.expect.codes.join('|')}: ${b.error_msg}`);
          }),
          { seed: SEED, numRuns: RUNS, endOnFailure: true, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false },
        );
        if (result.failed) {
          failures.push(`${op.id} (seed ${SEED}, path ${JSON.stringify(result.counterexamplePath)}): ${String((result as { errorInstance?: unknown }).errorInstance ?? "interrupted")}`);
        }
        const diff = stateDiff(before, await fingerprint(s));
        if (diff.length) failures.push(`${op.id}: refused requests changed the state: ${diff.join('; ')}`);
        const health = await fetch(`${s.url}/readyz`);
        if (health.status !== 200) failures.push(`${op.id}: /readyz answered ${health.status} afterwards`);
        t.diagnostic(`${op.id}: ${perOp[op.id] ?? 0} requests (${kinds.length} mutation kinds)`);
      }
      const total = Object.values(perOp).reduce((a, b) => a + b, 0);
      t.diagnostic(`${engine}: ${total} fuzz requests over ${ops.length} operations, seed ${SEED}`);
      console.log(`fuzz on ${engine}: ${total} requests over ${ops.length} operations (seed ${SEED})`);
      const missing = ops.filter((o) => !perOp[o.id]).map((o) => o.id);
      assert.deepEqual(missing, [], 'every operation was fuzzed');
      assert.deepEqual(failures, [], `seed ${SEED}:\n${failures.join('\n')}`);
    });

    test('no framework default body, and no answer without X-Request-Id, reached a client in any of them', () => {
      assert.ok(seen.length > ops.length, `${seen.length} answers scanned`);
      const bad = seen.filter(({ answer: a }) => isFrameworkBody(a.text) || !/^[0-9a-f]{32}$/.test(String(a.headers['x-request-id'] ?? '')) || !/"error_code"/.test(a.text));
      assert.deepEqual(bad.map((b) => `${b.op} ${b.request} → ${b.answer.status} ${b.answer.text.slice(0, 200)}`), []);
    });
  });
}
