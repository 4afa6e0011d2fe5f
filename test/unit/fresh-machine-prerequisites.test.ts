import {
  chooseTimeSkippingServer,
  JavaTestServerNotFoundError,
  JAVA_TEST_SERVER_VERSION,
  timeSkippingFallbackLine,
  timeSkippingUnavailableMessage,
  type FoundJavaTestServer,
} from '../../src/devserver/java-test-server';
import { choosePostgres, newestBinDir, NO_POSTGRES_NOTICE, postgresBinDir, type PostgresProbe } from '../helpers/postgres';

/** A machine described, not probed: nothing here reads PATH or the file system. */
function machine(overrides: Partial<PostgresProbe> & { onPath?: Record<string, string> } = {}): PostgresProbe {
  const { onPath = {}, ...rest } = overrides;
  return {
    env: {},
    debianBinDirs: [],
    which: (command) => onPath[command],
    isRoot: false,
    hasUser: () => true,
    ...rest,
  };
}

describe('which PostgreSQL the database tests use', () => {
  it("uses the user's DATABASE_URL and starts nothing, whatever is installed", () => {
    const plan = choosePostgres(machine({ env: { DATABASE_URL: 'postgres://me@db:5432/x' }, debianBinDirs: ['/usr/lib/postgresql/15/bin'] }));
    expect(plan).toEqual({ kind: 'user', url: 'postgres://me@db:5432/x' });
  });

  it("starts a throw-away cluster with Debian's newest binaries when DATABASE_URL is unset", () => {
    const dirs = ['/usr/lib/postgresql/9.6/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin'];
    expect(choosePostgres(machine({ debianBinDirs: dirs }))).toEqual({ kind: 'throwaway', binDir: '/usr/lib/postgresql/16/bin' });
    expect(newestBinDir(['/usr/lib/postgresql/10/bin', '/usr/lib/postgresql/9/bin'])).toBe('/usr/lib/postgresql/10/bin');
    expect(newestBinDir([])).toBeUndefined();
  });

  it('falls back to pg_ctl and initdb on PATH (a non-Debian install), only when they sit together', () => {
    const together = machine({ onPath: { pg_ctl: '/opt/pg/bin/pg_ctl', initdb: '/opt/pg/bin/initdb' } });
    expect(choosePostgres(together)).toEqual({ kind: 'throwaway', binDir: '/opt/pg/bin' });
    expect(postgresBinDir(machine({ onPath: { pg_ctl: '/opt/pg/bin/pg_ctl' } }))).toBeUndefined();
    expect(postgresBinDir(machine({ onPath: { pg_ctl: '/a/pg_ctl', initdb: '/b/initdb' } }))).toBeUndefined();
  });

  it('says plainly that the PostgreSQL variants did not run when there are neither binaries nor DATABASE_URL', () => {
    const plan = choosePostgres(machine({ env: { DATABASE_URL: '  ' } }));
    expect(plan).toEqual({ kind: 'none', notice: NO_POSTGRES_NOTICE });
    expect(NO_POSTGRES_NOTICE).toBe(
      'PostgreSQL variants did not run: no DATABASE_URL and no PostgreSQL binaries (apt-get install postgresql, or set DATABASE_URL)',
    );
  });

  it('as root needs the postgres user to run the server as, and says so when it is missing', () => {
    const dirs = ['/usr/lib/postgresql/15/bin'];
    expect(choosePostgres(machine({ debianBinDirs: dirs, isRoot: true }))).toEqual({ kind: 'throwaway', binDir: dirs[0] });
    const plan = choosePostgres(machine({ debianBinDirs: dirs, isRoot: true, hasUser: () => false }));
    expect(plan.kind).toBe('none');
    expect(plan.kind === 'none' && plan.notice).toMatch(/^PostgreSQL variants did not run: .*no `postgres` user.*set DATABASE_URL/);
  });

  it('skips the cluster on SWITCHBOARD_TEST_POSTGRES=0, saying so', () => {
    const plan = choosePostgres(machine({ env: { SWITCHBOARD_TEST_POSTGRES: '0' }, debianBinDirs: ['/usr/lib/postgresql/15/bin'] }));
    expect(plan.kind === 'none' && plan.notice).toMatch(/^PostgreSQL variants did not run: SWITCHBOARD_TEST_POSTGRES=0/);
  });
});

describe('which time-skipping server the tests use', () => {
  const javaServer: FoundJavaTestServer = { path: '/cache/temporal-test-server', version: JAVA_TEST_SERVER_VERSION, source: 'cache' };

  it("prefers the project's Java test server and logs nothing about a fallback", async () => {
    const lines: string[] = [];
    const choice = await chooseTimeSkippingServer((l) => lines.push(l), async () => javaServer);
    expect(choice.executable).toEqual({ type: 'existing-path', path: javaServer.path });
    expect(lines).toEqual([]);
  });

  it.each([
    ['java', /Java is not installed/],
    ['maven', /Maven is not installed/],
    ['fetch', /Maven could not fetch it/],
  ] as const)("falls back to the SDK's download when %s is the problem, in one line saying so", async (missing, reason) => {
    const lines: string[] = [];
    const choice = await chooseTimeSkippingServer(
      (l) => lines.push(l),
      async () => {
        throw new JavaTestServerNotFoundError('long explanation', missing);
      },
    );
    expect(choice.executable).toEqual({ type: 'cached-download' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(reason);
    expect(lines[0]).toMatch(/SDK's own download .*needs internet/);
    expect(lines[0]).not.toContain('\n');
  });

  it('does not paper over an explicit TEMPORAL_TEST_SERVER_PATH that is wrong, nor an unexpected error', async () => {
    const wrongPath = new JavaTestServerNotFoundError('TEMPORAL_TEST_SERVER_PATH=/x is not an executable file', 'env');
    await expect(chooseTimeSkippingServer(() => {}, () => Promise.reject(wrongPath))).rejects.toBe(wrongPath);
    const other = new Error('disk full');
    await expect(chooseTimeSkippingServer(() => {}, () => Promise.reject(other))).rejects.toBe(other);
  });

  it('when the download fails too, says what was missing and both fixes', () => {
    const javaError = new JavaTestServerNotFoundError('Maven is not installed ...', 'maven');
    const message = timeSkippingUnavailableMessage(javaError, new Error('error sending request for url (https://temporal.download/...)'));
    expect(message).toMatch(/Maven is not installed/);
    expect(message).toMatch(/download .*failed too \(error sending request/);
    expect(message).toMatch(/install Java 17 and Maven/);
    expect(message).toMatch(/allow internet access/);
    expect(timeSkippingFallbackLine(new JavaTestServerNotFoundError('x', 'java'))).toMatch(/^No Temporal Java test server: Java is not installed/);
  });
});
