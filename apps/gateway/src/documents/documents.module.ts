import { Module, type DynamicModule } from '@nestjs/common';
import { DocumentReuseRepository, DocumentsRepository } from '@lienthong/documents';
import { DocumentsController } from './documents.controller';
import { DOCUMENTS_OPTIONS, type DocumentsModuleOptions } from './documents.options';
import { DocumentsService } from './documents.service';

/**
 * The reuse store: POST /v1/documents, /v1/documents/search and /v1/documents/{id}/revoke.
 * Needs, from global modules: Database (StorageModule), AuditLog (AuditModule) and the access policy
 * (SecurityModule). Exports DocumentReuseRepository (reuse counts per dossier, for the indicators).
 */
@Module({})
export class DocumentsModule {
  static forRoot(options: DocumentsModuleOptions): DynamicModule {
    return {
      module: DocumentsModule,
      controllers: [DocumentsController],
      providers: [
        { provide: DOCUMENTS_OPTIONS, useValue: options },
        DocumentsRepository,
        DocumentReuseRepository,
        DocumentsService,
      ],
      exports: [DocumentReuseRepository],
    };
  }
}
