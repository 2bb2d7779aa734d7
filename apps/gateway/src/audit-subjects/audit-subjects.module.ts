import { Module } from '@nestjs/common';
import { AuditSubjectsController } from './audit-subjects.controller';
import { AuditSubjectsService } from './audit-subjects.service';

/** `POST /v1/audit/subjects/lookup`; needs the audit module and the lookups module (auditor, denial filter). */
@Module({
  controllers: [AuditSubjectsController],
  providers: [AuditSubjectsService],
})
export class AuditSubjectsModule {}
