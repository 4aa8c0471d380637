/**
 * A PRIVATE PostgreSQL server with password authentication (scram-sha-256, local and host), for
 * the tests that must prove what happens with a wrong password: the shared server on
 * 127.0.0.1:5432 uses `trust`, where any password is accepted.
 *
 * initdb + postgres from the installed server binaries (LOGSNAP_TEST_PG_BIN, else the newest
 * /usr/lib/postgresql/<major>/bin), in a fresh temp dir, listening on 127.0.0.1 on a free port,
 * unix socket in the temp dir. PostgreSQL refuses to run as root: when the tests run as root the
 * processes are spawned with the uid/gid of the `postgres` OS user and the temp dir is chowned to it.
 * Missing binaries → a skip reason, except under CI=true, where it throws.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { hex32 } from '../../src/security/ids.js';
import { eventually } from '../helpers/server.js';

export interface PasswordPg {
  host: '127.0.0.1';
  port: number;
  /** superuser (`postgres`) password, set by initdb --pwfile */
  superPassword: string;
  /** postgres://user:password@127.0.0.1:port/db (user and password percent-encoded) */
  url(database: string, user?: string, password?: string): string;
  /** run SQL as the superuser */
  sql<T = any>(database: string, text: string, params?: unknown[]): Promise<T[]>;
  /** the server's own log (stderr), for diagnostics */
  log(): string;
  stop(): Promise<void>;
}

function binDir(): string | undefined {
  const env = process.env.LOGSNAP_TEST_PG_BIN;
  if (env) return existsSync(join(env, 'initdb')) ? env : undefined;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  for (const m of majors) {
    const dir = join(root, m, 'bin');
    if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'))) return dir;
  }
  return undefined;
}

/** uid/gid to run the server as: the `postgres` OS user when we are root, else ourselves. */
function runAs(): { uid?: number; gid?: number } | string {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const u = id('-u');
  const g = id('-g');
  if (u.status !== 0 || g.status !== 0) return 'running as root and there is no `postgres` OS user to run the private PostgreSQL server as';
  return { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/** Why the private server cannot be started here, or false. Throws under CI=true. */
export function passwordPgUnavailable(): string | false {
  const where = process.env.LOGSNAP_TEST_PG_BIN ? `in LOGSNAP_TEST_PG_BIN=${process.env.LOGSNAP_TEST_PG_BIN}` : 'under /usr/lib/postgresql/*/bin (or set LOGSNAP_TEST_PG_BIN)';
  const why = !binDir() ? `PostgreSQL server binaries (initdb, postgres) not found ${where}` : typeof runAs() === 'string' ? (runAs() as string) : false;
  if (why && process.env.CI === 'true') throw new Error(`CI=true but the private password-authenticated PostgreSQL cannot be started: ${why}`);
  return why;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function startPasswordPostgres(): Promise<PasswordPg> {
  const bin = binDir();
  const who = runAs();
  if (!bin || typeof who === 'string') throw new Error(`private PostgreSQL unavailable: ${passwordPgUnavailable() || 'unknown reason'}`);
  const dir = mkdtempSync(join(tmpdir(), 'logsnap-pgpw-'));
  const data = join(dir, 'data');
  const superPassword = `Su-${hex32().slice(0, 20)}`;
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, `${superPassword}\n`, { mode: 0o600 });
  if (who.uid !== undefined) {
    chownSync(dir, who.uid, who.gid!);
    chownSync(pwfile, who.uid, who.gid!);
  }
  chmodSync(dir, 0o700);
  const opts = { ...who, cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C' } };
  const init = spawnSync(join(bin, 'initdb'), [
    '-D', data, '-U', 'postgres', `--pwfile=${pwfile}`, '--auth-local=scram-sha-256', '--auth-host=scram-sha-256',
    '-N', '-E', 'UTF8', '--locale=C',
  ], { ...opts, encoding: 'utf8' });
  rmSync(pwfile, { force: true });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status ?? init.error?.message}): ${init.stderr}`);
  }

  let child: ChildProcess | undefined;
  let port = 0;
  let serverLog = '';
  let exited: Promise<void> = Promise.resolve();
  const killOnExit = () => child?.kill('SIGQUIT');
  // a free port can be taken between probing and binding: try a few
  for (let attempt = 0; attempt < 4 && !child; attempt++) {
    port = await freePort();
    serverLog = '';
    const c = spawn(join(bin, 'postgres'), [
      '-D', data, '-p', String(port),
      '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`,
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
      '-c', 'shared_buffers=16MB', '-c', 'max_connections=40', '-c', 'logging_collector=off',
      '-c', 'password_encryption=scram-sha-256',
    ], { ...opts, stdio: ['ignore', 'ignore', 'pipe'] });
    c.stderr!.setEncoding('utf8');
    c.stderr!.on('data', (d: string) => {
      serverLog = (serverLog + d).slice(-64 * 1024);
    });
    const gone = new Promise<number | null>((resolve) => c.once('exit', (code) => resolve(code)));
    const ready = eventually(async () => {
      const cl = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password: superPassword, database: 'postgres', connectionTimeoutMillis: 2000 });
      try {
        await cl.connect();
        await cl.query('select 1');
        return true;
      } finally {
        await cl.end().catch(() => undefined);
      }
    }, 30_000, `private PostgreSQL on 127.0.0.1:${port}`);
    const first = await Promise.race([ready.then(() => 'up' as const), gone.then(() => 'exited' as const)]);
    if (first === 'up') {
      child = c;
      exited = gone.then(() => undefined);
      process.once('exit', killOnExit);
    } else {
      ready.catch(() => undefined);
      if (!/could not bind|Address already in use/i.test(serverLog)) {
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`private PostgreSQL did not start: ${serverLog}`);
      }
    }
  }
  if (!child) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`private PostgreSQL found no free port: ${serverLog}`);
  }

  const url = (database: string, user = 'postgres', password = superPassword) =>
    `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  return {
    host: '127.0.0.1',
    port,
    superPassword,
    url,
    async sql(database, text, params = []) {
      const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password: superPassword, database });
      await c.connect();
      try {
        return (await c.query(text, params)).rows;
      } finally {
        await c.end();
      }
    },
    log: () => serverLog,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGQUIT'); // immediate shutdown
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
