import 'reflect-metadata';
import { ConfigError } from '@lienthong/config';
import { closeOnSignals } from '@lienthong/observability';
import { startGateway } from './bootstrap';

startGateway()
  .then((running) => closeOnSignals(() => running.close()))
  .catch((error: unknown) => {
    console.error(
      error instanceof ConfigError ? error.message : `gateway failed to start: ${(error as Error).message}`,
    );
    process.exit(1);
  });
