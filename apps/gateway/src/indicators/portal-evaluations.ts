import { Inject, Injectable, OnModuleDestroy, Optional } from '@nestjs/common';
import type { PublicServicePortal } from '@lienthong/adapters/public-service-portal';

/** The portal client the gateway reads the portal's own evaluation with; absent without PORTAL_URL. */
export const PORTAL_EVALUATION_CLIENT = Symbol('PORTAL_EVALUATION_CLIENT');

/** Holds the gateway's portal client (if configured) and closes it on shutdown. */
@Injectable()
export class PortalEvaluations implements OnModuleDestroy {
  constructor(@Optional() @Inject(PORTAL_EVALUATION_CLIENT) readonly portal?: PublicServicePortal | null) {}

  async onModuleDestroy(): Promise<void> {
    await this.portal?.close();
  }
}
