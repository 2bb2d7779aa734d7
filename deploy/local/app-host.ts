/**
 * The gateway and the relay in one process, for local runs on embedded PGlite: PGlite is a
 * single-process database, and both apps open the same directory through the storage library, which
 * shares one instance per directory within a process. With PostgreSQL they run as separate processes.
 */
import 'reflect-metadata';
import { ConfigError } from '@lienthong/config';
import { closeOnSignals } from '@lienthong/observability';
import { startGateway } from '../../apps/gateway/src/bootstrap';
import { startRelay } from '../../apps/relay/src/bootstrap';

async function main(): Promise<void> {
  const gateway = await startGateway();
  const relay = await startRelay();
  closeOnSignals(async () => {
    await relay.close().catch(() => undefined);
    await gateway.close();
  });
}

main().catch((error: unknown) => {
  console.error(
    error instanceof ConfigError ? error.message : `failed to start: ${(error as Error).message}`,
  );
  process.exit(1);
});
