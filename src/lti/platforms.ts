import mongoose, { Schema } from 'mongoose';
import { z } from 'zod';
import { AppError } from '../web/errors.js';
import { lti } from './provider.js';
import { endPlatformSessions } from './session.js';
import { platformKey, tenantId } from './tenancy.js';

/**
 * The platforms (LMS registrations) Wayfinder trusts, with each one's allow-list of deployment
 * ids. ltijs keeps its own copy (endpoints, the tool's per-platform signing key); this record adds
 * what ltijs lacks: status, deployments, granted scopes and how the platform was registered.
 */
export type PlatformStatus = 'active' | 'pending' | 'disabled';
export type DeploymentStatus = 'approved' | 'pending';

export interface Deployment {
  id: string;
  status: DeploymentStatus;
  tenantId: string;
  firstSeen: Date;
}

export interface PlatformRecord {
  _id: string;
  issuer: string;
  clientId: string;
  name: string;
  authUrl: string;
  tokenUrl: string;
  jwksUrl: string;
  status: PlatformStatus;
  deployments: Deployment[];
  autoApproveDeployments: boolean;
  /** Scopes the platform actually granted (dynamic registration) or that the admin entered. */
  grantedScopes: string[];
  source: 'manual' | 'dynamic' | 'dev';
  productFamily?: string;
  createdAt: Date;
}

const deploymentSchema = new Schema<Deployment>(
  { id: String, status: String, tenantId: String, firstSeen: Date },
  { _id: false },
);
const platformSchema = new Schema<PlatformRecord>(
  {
    _id: String,
    issuer: { type: String, required: true },
    clientId: { type: String, required: true },
    name: String,
    authUrl: String,
    tokenUrl: String,
    jwksUrl: String,
    status: { type: String, default: 'pending' },
    deployments: [deploymentSchema],
    autoApproveDeployments: { type: Boolean, default: false },
    grantedScopes: [String],
    source: String,
    productFamily: String,
    createdAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
);
platformSchema.index({ issuer: 1, clientId: 1 }, { unique: true });
platformSchema.index({ 'deployments.tenantId': 1 });

const Platform = mongoose.model<PlatformRecord>('Platform', platformSchema, 'wf_platforms');

export const ALL_SCOPES = [
  'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
  'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
];

const httpUrl = (what: string) =>
  z
    .string({ required_error: `${what} is required` })
    .url(`${what} must be an absolute http(s) URL`)
    .refine((u) => /^https?:\/\//.test(u), `${what} must be an absolute http(s) URL`);

export const newPlatformSchema = z.object({
  issuer: httpUrl('issuer'),
  clientId: z.string({ required_error: 'clientId is required' }).min(1, 'clientId is required').max(255),
  name: z.string().max(200).optional(),
  authUrl: httpUrl('authUrl'),
  tokenUrl: httpUrl('tokenUrl'),
  jwksUrl: httpUrl('jwksUrl'),
  deploymentIds: z.array(z.string().min(1).max(255)).max(1000).default([]),
  autoApproveDeployments: z.boolean().default(false),
  grantedScopes: z.array(z.string()).optional(),
});
export type NewPlatform = z.input<typeof newPlatformSchema>;

/** Registers a platform with ltijs and records it. Manual registrations by an admin are active. */
export async function addPlatform(
  input: NewPlatform,
  meta: { status?: PlatformStatus; source: PlatformRecord['source']; productFamily?: string } = { source: 'manual' },
): Promise<PlatformRecord> {
  const p = newPlatformSchema.parse(input);
  const key = platformKey(p.issuer, p.clientId);
  if (await Platform.exists({ _id: key })) {
    throw new AppError('CONFLICT', `a platform with issuer ${p.issuer} and client id ${p.clientId} is already registered`);
  }
  const name = p.name ?? new URL(p.issuer).host;
  const registered = await lti.registerPlatform({
    url: p.issuer,
    name,
    clientId: p.clientId,
    authenticationEndpoint: p.authUrl,
    accesstokenEndpoint: p.tokenUrl,
    authConfig: { method: 'JWK_SET', key: p.jwksUrl },
  });
  const status = meta.status ?? 'active';
  await registered.platformActive(status === 'active');
  const now = new Date();
  const doc: PlatformRecord = {
    _id: key,
    issuer: p.issuer,
    clientId: p.clientId,
    name,
    authUrl: p.authUrl,
    tokenUrl: p.tokenUrl,
    jwksUrl: p.jwksUrl,
    status,
    deployments: [...new Set(p.deploymentIds)].map((id) => ({
      id,
      status: 'approved' as const,
      tenantId: tenantId(p.issuer, p.clientId, id),
      firstSeen: now,
    })),
    autoApproveDeployments: p.autoApproveDeployments,
    grantedScopes: p.grantedScopes ?? ALL_SCOPES,
    source: meta.source,
    productFamily: meta.productFamily,
    createdAt: now,
  };
  try {
    await Platform.create(doc);
  } catch (err) {
    await lti.deletePlatform(p.issuer, p.clientId);
    if ((err as { code?: number }).code === 11000) {
      throw new AppError('CONFLICT', `a platform with issuer ${p.issuer} and client id ${p.clientId} is already registered`);
    }
    throw err;
  }
  return doc;
}

/** What a re-registration of a known issuer + client id changes (registration.ts decides the status). */
export type PlatformUpdate = Pick<PlatformRecord, 'authUrl' | 'tokenUrl' | 'jwksUrl' | 'grantedScopes' | 'deployments' | 'status'>;

export async function updatePlatform(key: string, change: PlatformUpdate): Promise<PlatformRecord> {
  const p = await getPlatform(key);
  await lti.registerPlatform({
    url: p.issuer,
    name: p.name,
    clientId: p.clientId,
    authenticationEndpoint: change.authUrl,
    accesstokenEndpoint: change.tokenUrl,
    authConfig: { method: 'JWK_SET', key: change.jwksUrl },
  });
  await setStatus(p, change.status);
  await Platform.updateOne({ _id: key }, { $set: change });
  if (change.status !== 'active') await endPlatformSessions(key);
  return { ...p, ...change };
}

export async function listPlatforms(): Promise<PlatformRecord[]> {
  return Platform.find().sort({ createdAt: 1 }).lean<PlatformRecord[]>();
}

export async function getPlatform(key: string): Promise<PlatformRecord> {
  const p = await Platform.findById(key).lean<PlatformRecord>();
  if (!p) throw new AppError('NOT_FOUND', `no platform with id ${key}`);
  return p;
}

export async function findPlatform(issuer: string, clientId: string): Promise<PlatformRecord | null> {
  return Platform.findById(platformKey(issuer, clientId)).lean<PlatformRecord>();
}

/** Platforms sharing an issuer (Canvas uses one issuer for every hosted instance). */
export async function findPlatformsByIssuer(issuer: string): Promise<PlatformRecord[]> {
  return Platform.find({ issuer }).lean<PlatformRecord[]>();
}

export async function removePlatform(key: string): Promise<void> {
  const p = await getPlatform(key);
  await lti.deletePlatform(p.issuer, p.clientId);
  await Platform.deleteOne({ _id: key });
  await endPlatformSessions(key);
}

/**
 * Activates a platform and approves the given deployments (all pending ones when none are named).
 * A platform's own LMS administrator (`by: 'lti'`) may approve deployments of an active platform,
 * never activate a pending or disabled one: that is the operator's decision.
 */
export async function approvePlatform(key: string, deploymentIds: string[] = [], by: 'operator' | 'lti' = 'operator'): Promise<PlatformRecord> {
  const p = await getPlatform(key);
  if (by !== 'operator' && p.status !== 'active') {
    throw new AppError('FORBIDDEN', `the platform ${p.name} is ${p.status}: only the tool operator can activate it`);
  }
  const now = new Date();
  const deployments = p.deployments.map((d) =>
    deploymentIds.length === 0 || deploymentIds.includes(d.id) ? { ...d, status: 'approved' as const } : d,
  );
  for (const id of deploymentIds) {
    if (!deployments.some((d) => d.id === id)) {
      deployments.push({ id, status: 'approved', tenantId: tenantId(p.issuer, p.clientId, id), firstSeen: now });
    }
  }
  await setStatus(p, 'active');
  await Platform.updateOne({ _id: key }, { $set: { deployments, status: 'active' } });
  return { ...p, deployments, status: 'active' };
}

export async function setPlatformStatus(key: string, status: PlatformStatus): Promise<PlatformRecord> {
  const p = await getPlatform(key);
  await setStatus(p, status);
  await Platform.updateOne({ _id: key }, { $set: { status } });
  if (status !== 'active') await endPlatformSessions(key);
  return { ...p, status };
}

async function setStatus(p: PlatformRecord, status: PlatformStatus): Promise<void> {
  const ltiPlatform = await lti.getPlatform(p.issuer, p.clientId);
  if (ltiPlatform) await ltiPlatform.platformActive(status === 'active');
}

export type DeploymentCheck =
  | { ok: true; platform: PlatformRecord; tenantId: string }
  | { ok: false; reason: 'PLATFORM_UNKNOWN' | 'PLATFORM_INACTIVE' | 'DEPLOYMENT_UNKNOWN'; message: string };

/**
 * Whether a launch from this deployment may proceed. An unseen deployment is recorded as pending
 * (so an admin can approve it) or approved at once where the admin chose that for the platform.
 */
export async function checkDeployment(issuer: string, clientId: string, deploymentId: string): Promise<DeploymentCheck> {
  const p = await findPlatform(issuer, clientId);
  if (!p) return { ok: false, reason: 'PLATFORM_UNKNOWN', message: `no platform is registered for issuer ${issuer} and client id ${clientId}` };
  if (p.status !== 'active') {
    const message =
      p.status === 'disabled'
        ? `the platform ${p.name} is disabled in Wayfinder: its operator must enable it again`
        : `the platform ${p.name} is not yet approved: an administrator must approve it first`;
    return { ok: false, reason: 'PLATFORM_INACTIVE', message };
  }
  const d = p.deployments.find((x) => x.id === deploymentId);
  if (d?.status === 'approved') return { ok: true, platform: p, tenantId: d.tenantId };
  if (!d) {
    const status: DeploymentStatus = p.autoApproveDeployments ? 'approved' : 'pending';
    const entry = { id: deploymentId, status, tenantId: tenantId(issuer, clientId, deploymentId), firstSeen: new Date() };
    // Keyed by id inside one document: a concurrent duplicate push is filtered by the condition.
    await Platform.updateOne({ _id: p._id, 'deployments.id': { $ne: deploymentId } }, { $push: { deployments: entry } });
    if (status === 'approved') return { ok: true, platform: p, tenantId: entry.tenantId };
  }
  return {
    ok: false,
    reason: 'DEPLOYMENT_UNKNOWN',
    message: `deployment ${deploymentId} of ${p.name} is not approved yet: an administrator must approve it`,
  };
}
