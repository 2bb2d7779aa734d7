/**
 * A database of a suite's own, on the same PostgreSQL server as the run's test database.
 *
 * A suite that runs its own broker needs one: every gateway drains the outbox table it finds in its
 * database to its own brokers, so a gateway of another suite sharing the database would publish this
 * suite's queued events to the other broker (and the other way round).
 */
import { Client } from 'pg';

export interface IsolatedDatabase {
  url: string;
  drop(): Promise<void>;
}

function adminUrl(): string {
  if (process.env.LGSP_TEST_POSTGRES_ADMIN_URL) return process.env.LGSP_TEST_POSTGRES_ADMIN_URL;
  const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  url.pathname = '/postgres';
  return url.toString();
}

async function admin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createIsolatedDatabase(label: string): Promise<IsolatedDatabase> {
  const name = `lienthong_${label}_${Date.now()}_${process.pid}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
