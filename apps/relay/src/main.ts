import 'reflect-metadata';
import { ConfigError } from '@lienthong/config';
import { closeOnSignals } from '@lienthong/observability';
import { startRelay } from './bootstrap';

startRelay()
  .then((running) => closeOnSignals(() => running.close()))
  .catch((error: unknown) => {
    console.error(
      error instanceof ConfigError ? error.message : `relay failed to start: ${(error as Error).message}`,
    );
    process.exit(1);
  });
