import {
  DynamicModule,
  Global,
  Inject,
  Injectable,
  Module,
  Optional,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SharedRedis, type SharedRedisOptions } from './shared-redis';

/** Closes the shared connection when the app stops. */
@Injectable()
class SharedRedisCloser implements OnApplicationShutdown {
  constructor(@Optional() @Inject(SharedRedis) private readonly redis?: SharedRedis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.close();
  }
}

/**
 * Provides {@link SharedRedis} everywhere when the deployment names a Redis (REDIS_URL), and nothing
 * otherwise: users inject it as optional and keep their per-instance state without it.
 */
@Global()
@Module({})
export class SharedStateModule {
  static forRoot(options: SharedRedisOptions | undefined): DynamicModule {
    const providers = options
      ? [{ provide: SharedRedis, useFactory: () => SharedRedis.connect(options) }, SharedRedisCloser]
      : [];
    return {
      module: SharedStateModule,
      providers,
      exports: options ? [SharedRedis] : [],
    };
  }
}
