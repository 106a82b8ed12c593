// A PostgreSQL of the test's own for the end-to-end tests, as the engine's
// tests start one (src-tauri/core/tests/common/pg.rs): Debian's package,
// `initdb` and `pg_ctl` in a temporary folder, on loopback, as the
// `postgres` user when run as root (PostgreSQL refuses root). The team is
// set up the way IT would: `kizuna server init`, `add-member`, `migrate`.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, freePort } from './wd.mjs';

export const ADMIN = 'admin';
export const ADMIN_PASSWORD = 'admin-Passw0rd';
export const DATABASE = 'kizuna';

function pgBin() {
  if (process.env.KIZUNA_PG_BIN) return process.env.KIZUNA_PG_BIN;
  const versions = readdirSync('/usr/lib/postgresql')
    .map(Number)
    .filter((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`))
    .sort((a, b) => a - b);
  if (!versions.length) throw new Error('PostgreSQL is not installed: `make test` installs it');
  return `/usr/lib/postgresql/${versions.at(-1)}/bin`;
}

export class TestServer {
  static async start() {
    const bin = pgBin();
    const asPostgres = process.getuid?.() === 0;
    const dir = mkdtempSync('/tmp/kizuna-e2e-pg-');
    const run = (tool, args) => {
      const cmd = asPostgres ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args];
      return execFileSync(cmd[0], cmd[1], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    };
    if (asPostgres) {
      const id = (flag) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
      chownSync(dir, id('-u'), id('-g'));
    }
    chmodSync(dir, 0o755);
    const pw = join(dir, 'pw');
    writeFileSync(pw, ADMIN_PASSWORD, { mode: 0o644 });
    const data = join(dir, 'data');
    run('initdb', ['-D', data, '-U', ADMIN, `--pwfile=${pw}`, '--auth-host=scram-sha-256', '--auth-local=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
    const port = await freePort();
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c shared_buffers=16MB -c dynamic_shared_memory_type=mmap`;
    const log = join(dir, 'log');
    try {
      run('pg_ctl', ['-D', data, '-w', '-l', log, '-o', options, 'start']);
    } catch (e) {
      throw new Error(`PostgreSQL did not start: ${e.stderr ?? e}\n${existsSync(log) ? readFileSync(log, 'utf8') : ''}`);
    }
    const server = new TestServer(bin, dir, data, port, run);
    server.start = () => run('pg_ctl', ['-D', data, '-w', '-l', log, '-o', options, 'start']);
    server.psql(`CREATE DATABASE ${DATABASE}`);
    return server;
  }

  constructor(bin, dir, data, port, run) {
    Object.assign(this, { bin, dir, data, port, run });
  }

  /** One statement as the admin, over the Unix socket. */
  psql(sql, database = 'postgres') {
    return execFileSync(join(this.bin, 'psql'), ['-h', this.dir, '-p', String(this.port), '-U', ADMIN, '-d', database, '-tAc', sql]).toString().trim();
  }

  /** The address a login uses: loopback, so TLS may be off. */
  address(login = ADMIN) {
    return `postgres://${login}@127.0.0.1:${this.port}/${DATABASE}?sslmode=disable`;
  }

  /** What IT does: the schema and roles, a login per member, the team file copied in. */
  setUpTeam(teamFile, members) {
    const env = { ...process.env, PGPASSWORD: ADMIN_PASSWORD };
    execFileSync(CLI, ['server', 'init', this.address()], { env });
    for (const [login, password] of Object.entries(members)) {
      execFileSync(CLI, ['server', 'add-member', this.address(), login], { env: { ...env, KIZUNA_MEMBER_PASSWORD: password } });
    }
    return execFileSync(CLI, ['migrate', '--from', teamFile, '--to', this.address()], { env }).toString();
  }

  /** The same server again, on the same data and port (after `stop`). */
  startAgain() {
    this.start();
  }

  stop() {
    try {
      this.run('pg_ctl', ['-D', this.data, '-m', 'immediate', 'stop']);
    } catch {
      // Already gone.
    }
  }
}
