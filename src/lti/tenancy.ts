import { createHash } from 'node:crypto';

/**
 * Opaque, stable ids for a tenant (platform issuer + client id + deployment id) and a course
 * (tenant + LTI context id; context ids alone are not unique across platforms or deployments).
 */
function digest(parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 16);
}

export function platformKey(issuer: string, clientId: string): string {
  return 'p_' + digest([issuer, clientId]);
}

export function tenantId(issuer: string, clientId: string, deploymentId: string): string {
  return 't_' + digest([issuer, clientId, deploymentId]);
}

export function courseId(tenant: string, contextId: string): string {
  return 'c_' + digest([tenant, contextId]);
}
