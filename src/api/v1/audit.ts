// The audit trail: staff and partner access to personal data, and security events (logins, lockouts, reuse).
import type { Queryable } from '../../store/index.ts';

export interface AuditEntry {
  tenantId: string;
  actorKind: 'user' | 'api_key' | 'anonymous' | 'system';
  actorId: string | null;
  action: string;
  subjectType?: string | null;
  subjectId?: string | null;
  requestId?: string | null;
  details?: Record<string, unknown>;
}

export async function writeAudit(q: Queryable, e: AuditEntry): Promise<void> {
  await q.query(
    `INSERT INTO audit_log (tenant_id, actor_kind, actor_id, action, subject_type, subject_id, request_id, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      e.tenantId,
      e.actorKind,
      e.actorId,
      e.action,
      e.subjectType ?? null,
      e.subjectId ?? null,
      e.requestId ?? null,
      JSON.stringify(e.details ?? {}),
    ],
  );
}
