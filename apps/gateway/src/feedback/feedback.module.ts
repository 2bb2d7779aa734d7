import { DynamicModule, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { FeedbackClient, FeedbackInbox } from '@lienthong/adapters/feedback';
import { Database } from '@lienthong/storage';
import { FeedbackController } from './feedback.controller';
import { FEEDBACK_CLIENT, FEEDBACK_CLOCK, FEEDBACK_INBOX } from './feedback.tokens';

export interface FeedbackModuleOptions {
  /** FEEDBACK_URL; unset: answers cannot be sent (503). */
  url?: string;
  apiKey: string;
  ca?: string;
  answerWorkingDays: number;
  clock?: () => Date;
}

/** Citizen feedback items of the agencies: listed and answered here; the relay's feedback role fetches them. */
@Module({})
export class FeedbackModule implements OnApplicationShutdown {
  constructor(@Inject(FEEDBACK_CLIENT) private readonly client: FeedbackClient | undefined) {}

  static forRoot(options: FeedbackModuleOptions): DynamicModule {
    return {
      module: FeedbackModule,
      controllers: [FeedbackController],
      providers: [
        {
          provide: FEEDBACK_INBOX,
          inject: [Database],
          useFactory: (database: Database) =>
            new FeedbackInbox(database, { answerWorkingDays: options.answerWorkingDays }),
        },
        {
          provide: FEEDBACK_CLIENT,
          useFactory: () =>
            options.url
              ? new FeedbackClient({ url: options.url, apiKey: options.apiKey, ca: options.ca })
              : undefined,
        },
        { provide: FEEDBACK_CLOCK, useValue: options.clock ?? (() => new Date()) },
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client?.close();
  }
}
