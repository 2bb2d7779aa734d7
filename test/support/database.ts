/**
 * Databases of the test runs, on the local PostgreSQL server: the run's own (global setup creates it,
 * global teardown drops it) and one per suite that runs its own broker.
 *
 * Such a suite needs a database of its own: every gateway drains the outbox table it finds in its
 * database to its own brokers, so a gateway of another suite sharing the database would publish this
 * suite's queued events to the other broker (and the other way round).
 */
import { Client } from 'pg';

export interface IsolatedDatabase {
  url: string;
  drop(): Promise<void>;
}

async function withAdmin<T>(adminUrl: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is needed for the storage and end-to-end suites but ${new URL(adminUrl).host} did not answer (${(error as Error).message}). ` +
        'Start PostgreSQL, or set TEST_DATABASE_URL / LGSP_TEST_POSTGRES_ADMIN_URL.',
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates `lienthong_<label>_<time>_<pid>` through the admin connection; returns its name and URL. */
export async function createDatabaseOn(
  adminUrl: string,
  label: string,
): Promise<{ url: string; name: string }> {
  const name = `lienthong_${label}_${Date.now()}_${process.pid}`;
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), name };
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withAdmin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/** The admin URL of the server that holds the run's test database. */
function adminUrlOfRun(): string {
  if (process.env.LGSP_TEST_POSTGRES_ADMIN_URL) return process.env.LGSP_TEST_POSTGRES_ADMIN_URL;
  const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  url.pathname = '/postgres';
  return url.toString();
}

/** A database of the calling suite's own, dropped by `drop()`. */
export async function createIsolatedDatabase(label: string): Promise<IsolatedDatabase> {
  const adminUrl = adminUrlOfRun();
  const { url, name } = await createDatabaseOn(adminUrl, label);
  return { url, drop: () => dropDatabase(adminUrl, name) };
}
