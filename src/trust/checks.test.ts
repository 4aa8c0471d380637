import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { gzipChecker } from './adapterKit.js';
import { etcdSnapshotChecker } from '../services/cce/artifacts.js';
import { dwsArtifacts } from '../services/dws/artifacts.js';
import type { Db } from '../db/index.js';
import type { Checker } from './types.js';

/** The engine checks verify runs on an artifact's content, fed in pieces as verify reads it. */
async function run(c: Checker, data: Buffer, piece = 1000): Promise<void> {
  for (let i = 0; i < data.length; i += piece) await c.write(data.subarray(i, i + piece));
  await c.end();
}

test('gzip: a whole stream passes; a changed byte, a cut or something else fail', async () => {
  const gz = gzipSync(Buffer.from('log line\n'.repeat(5000)));
  await run(gzipChecker(), gz);
  const bad = Buffer.from(gz);
  bad[Math.floor(bad.length / 2)] ^= 0xff;
  await assert.rejects(run(gzipChecker(), bad), /gzip integrity check failed/);
  await assert.rejects(run(gzipChecker(), gz.subarray(0, gz.length - 10)), /gzip integrity check failed/);
  await assert.rejects(run(gzipChecker(), Buffer.from('plain text, not gzip')), /gzip integrity check failed/);
});

test("etcd snapshot: the database must hash to the sha256 etcd appended", async () => {
  const db = randomBytes(4096);
  const snap = Buffer.concat([db, createHash('sha256').update(db).digest()]);
  await run(etcdSnapshotChecker(), snap, 333);
  const bad = Buffer.from(snap);
  bad[100] ^= 1;
  await assert.rejects(run(etcdSnapshotChecker(), bad), /etcd snapshot integrity check failed: the snapshot is corrupt/);
  await assert.rejects(run(etcdSnapshotChecker(), snap.subarray(0, 4096)), /etcd snapshot integrity check failed/);
});

const PG = process.env.LOGSNAP_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

test('pg_dump archive: pg_restore --list must read its table of contents', async (t) => {
  const name = `trust_chk_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch {
    if (process.env.CI === 'true') throw new Error(`CI=true but PostgreSQL is not reachable at ${PG}`);
    return t.skip(`PostgreSQL not reachable at ${PG}`);
  }
  await admin.query(`create database ${name}`);
  try {
    const u = new URL(PG);
    u.pathname = `/${name}`;
    const db = new pg.Client({ connectionString: u.toString() });
    await db.connect();
    await db.query("create table t(id int primary key, v text); insert into t select g, 'row ' || g from generate_series(1, 100) g");
    await db.end();
    const dump = spawnSync('pg_dump', ['--format=custom', `--dbname=${u}`], { maxBuffer: 64 * 1024 * 1024 });
    assert.equal(dump.status, 0, dump.stderr?.toString());
    const check = dwsArtifacts({} as Db).checks!['pg_dump-custom'];
    await run(check(), dump.stdout, 64 * 1024);
    await assert.rejects(run(check(), randomBytes(50_000)), /pg_restore --list failed/);
    await assert.rejects(run(check(), dump.stdout.subarray(0, 20)), /pg_restore --list failed/);
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
});
