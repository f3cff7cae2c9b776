import { createHash, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import mongoose, { Schema } from 'mongoose';
import type { NextFunction, Request, Response } from 'express';
import { addExpiryRule } from '../db/expiry.js';
import { AppError } from '../web/errors.js';
import type { AppRole } from './roles.js';

/**
 * The launch session: what a validated launch established (who, which course, which role), kept
 * for the pages and API calls that follow it. The browser holds ltijs's ltik (a signed token);
 * the database holds this record under the ltik's hash, never the ltik itself.
 */
export interface LaunchContext {
  _id: string;
  launchId: string;
  tenantId: string;
  courseId: string;
  platformKey: string;
  issuer: string;
  clientId: string;
  deploymentId: string;
  sub: string;
  name: string;
  roles: string[];
  role: AppRole;
  testUser: boolean;
  contextId: string;
  contextTitle: string;
  /** Course copy: the context ids this course was copied from (LTI `context_id_history`). */
  contextIdHistory?: string[];
  resourceLinkId?: string;
  resourceLinkTitle?: string;
  messageType: 'LtiResourceLinkRequest' | 'LtiDeepLinkingRequest';
  custom: Record<string, unknown>;
  locale?: string;
  returnUrl?: string;
  ags?: { scope?: string[]; lineitems?: string; lineitem?: string };
  nrps?: { context_memberships_url?: string; service_versions?: string[] };
  deepLinking?: Record<string, unknown>;
  createdAt: Date;
  expiresAt: Date;
}

export const SESSION_HOURS = 8;

const launchSchema = new Schema<LaunchContext>(
  {
    _id: String,
    launchId: String,
    tenantId: String,
    courseId: String,
    platformKey: String,
    issuer: String,
    clientId: String,
    deploymentId: String,
    sub: String,
    name: String,
    roles: [String],
    role: String,
    testUser: Boolean,
    contextId: String,
    contextTitle: String,
    contextIdHistory: { type: [String], default: undefined },
    resourceLinkId: String,
    resourceLinkTitle: String,
    messageType: String,
    custom: Schema.Types.Mixed,
    locale: String,
    returnUrl: String,
    ags: Schema.Types.Mixed,
    nrps: Schema.Types.Mixed,
    deepLinking: Schema.Types.Mixed,
    createdAt: Date,
    expiresAt: Date,
  },
  { versionKey: false },
);
launchSchema.index({ expiresAt: 1 });
launchSchema.index({ tenantId: 1, courseId: 1, sub: 1 });
const Launch = mongoose.model<LaunchContext>('Launch', launchSchema, 'wf_launches');
addExpiryRule({ collection: 'wf_launches', field: 'createdAt', maxAgeSeconds: SESSION_HOURS * 3600 });

const hash = (ltik: string) => createHash('sha256').update(ltik).digest('base64url');

/**
 * Sessions never change after a launch, and every page and API call after it reads one: a short
 * in-process cache saves that database round trip. Erasure and expiry are honoured (see below).
 */
const CACHE_MS = 60_000;
const CACHE_MAX = 10_000;
const cache = new Map<string, { launch: LaunchContext; until: number }>();

async function findSession(id: string): Promise<LaunchContext | null> {
  const hit = cache.get(id);
  if (hit && hit.until > Date.now()) return hit.launch;
  const launch = await Launch.findById(id).lean<LaunchContext>();
  if (launch) {
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
    cache.set(id, { launch, until: Date.now() + CACHE_MS });
  }
  return launch;
}

export async function createLaunchSession(
  ltik: string,
  context: Omit<LaunchContext, '_id' | 'launchId' | 'createdAt' | 'expiresAt'>,
): Promise<LaunchContext> {
  // Every request after a launch is scoped by tenant: a session without one would be scoped by nothing.
  if (!context.tenantId) throw new AppError('LAUNCH_INVALID', 'the launch names no approved deployment; open Wayfinder from your course again');
  const now = new Date();
  const doc: LaunchContext = {
    ...context,
    _id: hash(ltik),
    launchId: randomUUID(),
    createdAt: now,
    expiresAt: new Date(now.getTime() + SESSION_HOURS * 3600 * 1000),
  };
  await Launch.create(doc);
  return doc;
}

function readLtik(req: Request): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  if (typeof req.query.ltik === 'string') return req.query.ltik;
  const body = req.body as { ltik?: unknown } | undefined;
  if (body && typeof body.ltik === 'string') return body.ltik;
  return undefined;
}

/** Resolves the launch session or answers 401; puts it on `res.locals.launch` and the ltik on `res.locals.ltik`. */
export function requireLaunch(ltiKey: string) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const ltik = readLtik(req);
      if (!ltik) throw new AppError('UNAUTHENTICATED', 'no launch session: open Wayfinder from your course');
      try {
        jwt.verify(ltik, ltiKey);
      } catch {
        throw new AppError('UNAUTHENTICATED', 'the launch session token is not valid: open Wayfinder from your course again');
      }
      const launch = await findSession(hash(ltik));
      if (!launch || launch.expiresAt < new Date() || !launch.tenantId) {
        throw new AppError('SESSION_EXPIRED', 'your session has ended: open Wayfinder from your course again');
      }
      res.locals.launch = launch;
      res.locals.ltik = ltik;
      next();
    } catch (err) {
      next(err);
    }
  };
}

/** Allows only the given roles; a teacher page refuses students with 403. */
export function requireRole(...roles: AppRole[]) {
  return (_req: Request, res: Response, next: NextFunction) => {
    const launch = res.locals.launch as LaunchContext | undefined;
    if (!launch || !roles.includes(launch.role)) {
      return next(new AppError('FORBIDDEN', `this page is for ${roles.join(' or ')} roles only`));
    }
    next();
  };
}

/**
 * A launch opens only the course it came from. Every route that names a course in its path
 * (`/api/courses/:course/…`, teacher pages) goes through this one check, after requireLaunch.
 */
export function ownCourseLaunch(req: Request, res: Response): LaunchContext {
  const launch = res.locals.launch as LaunchContext;
  if (req.params.course !== launch.courseId) {
    throw new AppError('FORBIDDEN', 'this launch opens only the course you opened Wayfinder from; open the other course from your LMS');
  }
  return launch;
}

/** `ownCourseLaunch` as middleware, after requireLaunch and requireRole. */
export function requireOwnCourse(req: Request, res: Response, next: NextFunction): void {
  try {
    ownCourseLaunch(req, res);
    next();
  } catch (err) {
    next(err);
  }
}

/** Erasure: a learner's sessions end at once, in this process's cache too. */
export async function eraseLaunchSessions(tenantId: string, sub: string): Promise<number> {
  for (const [id, { launch }] of cache) if (launch.tenantId === tenantId && launch.sub === sub) cache.delete(id);
  const r = await Launch.deleteMany({ tenantId, sub });
  return r.deletedCount ?? 0;
}

/** A platform was disabled or removed: every session it opened ends now, in this process's cache too. */
export async function endPlatformSessions(platformKey: string): Promise<number> {
  for (const [id, { launch }] of cache) if (launch.platformKey === platformKey) cache.delete(id);
  const r = await Launch.deleteMany({ platformKey });
  return r.deletedCount ?? 0;
}

/** A learner's data request: their launch sessions in the tenant, without the ltik hash that keys them. */
export async function learnerLaunchSessions(tenantId: string, sub: string): Promise<Omit<LaunchContext, '_id'>[]> {
  return Launch.find({ tenantId, sub }, { _id: 0 }).sort({ createdAt: 1 }).lean<Omit<LaunchContext, '_id'>[]>();
}

