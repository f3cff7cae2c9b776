import { addExpiryRule, type ExpiryRule } from '../db/expiry.js';

/**
 * Statements are purged RETENTION_DAYS after they were stored, by the shared delete-by-query
 * timer (FerretDB v1 rejects TTL indexes). One rule, registered once; `setRetentionDays` sets
 * its age from the configuration when the tool starts.
 */
const rule: ExpiryRule = { collection: 'wf_statements', field: 'stored', maxAgeSeconds: 730 * 86_400 };
addExpiryRule(rule);

export function setRetentionDays(days: number): void {
  rule.maxAgeSeconds = days * 86_400;
}
