import { z } from 'zod';

/**
 * Every setting comes from the environment and is validated once at start.
 * The variable names are a public interface: operators' scripts depend on them.
 */
export const DEV_LTI_KEY = 'wayfinder-dev-key-change-me';

const bool = z
  .enum(['0', '1', 'true', 'false'], { errorMap: () => ({ message: 'expected 1 or 0 (or true/false)' }) })
  .transform((v) => v === '1' || v === 'true');

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'expected a whole number')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `expected a number from ${min} to ${max}`);

const url = (what: string) =>
  z
    .string()
    .url(`expected ${what}`)
    .transform((u) => u.replace(/\/+$/, ''));

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test'], {
    errorMap: () => ({ message: 'expected development, production or test' }),
  }),
  PORT: int(0, 65535),
  PUBLIC_URL: url('the absolute URL the tool is reached at, e.g. https://wayfinder.example.edu').optional(),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'expected a mongodb:// or mongodb+srv:// connection string')
    .optional(),
  LTI_KEY: z.string().min(16, 'expected at least 16 characters (the key that encrypts LTI secrets and signs sessions)'),
  ADMIN_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
  DEV_LMS: bool,
  DEV_LMS_PORT: int(0, 65535),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    errorMap: () => ({ message: 'expected one of fatal, error, warn, info, debug, trace, silent' }),
  }),
  TRUST_PROXY: z
    .string()
    .regex(/^(0|1|true|false|\d+|loopback|[\d.:/a-f, ]+)$/i, 'expected 0, 1, a hop count, "loopback" or addresses'),
  CLOCK_SKEW_SECONDS: int(0, 600),
  DATA_DIR: z.string().min(1, 'expected a folder path'),
  RETENTION_DAYS: int(1, 36500),
  RETRAIN_INTERVAL_HOURS: int(0, 8760),
  ADAPT_MIN_ANSWERS: int(0, 100_000_000),
  INGEST_LIMITS: z
    .string()
    .regex(/^\d+,\d+,\d+,\d+$/, 'expected four whole numbers: learner per minute, learner per day, course per minute, course per day')
    .transform((s) => s.split(',').map(Number) as [number, number, number, number])
    .refine((n) => n.every((x) => x >= 1), 'every limit must be at least 1'),
});

export type Config = {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  publicUrl: string;
  mongodbUri?: string;
  ltiKey: string;
  adminToken?: string;
  devLms: boolean;
  devLmsPort: number;
  logLevel: string;
  trustProxy: boolean | number | string;
  clockSkewSeconds: number;
  dataDir: string;
  retentionDays: number;
  retrainIntervalHours: number;
  /** New answers in a course that make the retraining loop adapt the tenant model to it (0: never). */
  adaptMinAnswers: number;
  /** Statements a learner may post to /api/activity, per minute and per day, and a whole course. */
  ingestLimits: { learnerPerMinute: number; learnerPerDay: number; coursePerMinute: number; coursePerDay: number };
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** Reads and validates the configuration; throws ConfigError listing one line per problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const nodeEnv = env.NODE_ENV ?? 'development';
  const production = nodeEnv === 'production';
  const raw = {
    NODE_ENV: nodeEnv,
    PORT: env.PORT ?? '3000',
    PUBLIC_URL: env.PUBLIC_URL,
    MONGODB_URI: env.MONGODB_URI || undefined,
    LTI_KEY: env.LTI_KEY ?? (production ? undefined : DEV_LTI_KEY),
    ADMIN_TOKEN: env.ADMIN_TOKEN || undefined,
    DEV_LMS: env.DEV_LMS ?? (nodeEnv === 'development' ? '1' : '0'),
    DEV_LMS_PORT: env.DEV_LMS_PORT ?? '3001',
    LOG_LEVEL: env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    TRUST_PROXY: env.TRUST_PROXY ?? '0',
    CLOCK_SKEW_SECONDS: env.CLOCK_SKEW_SECONDS ?? '60',
    DATA_DIR: env.DATA_DIR ?? '.data',
    RETENTION_DAYS: env.RETENTION_DAYS ?? '730',
    RETRAIN_INTERVAL_HOURS: env.RETRAIN_INTERVAL_HOURS ?? '24',
    ADAPT_MIN_ANSWERS: env.ADAPT_MIN_ANSWERS ?? '500',
    INGEST_LIMITS: env.INGEST_LIMITS ?? '600,10000,6000,200000',
  };
  const parsed = schema.safeParse(raw);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0]);
      const message = issue.code === 'invalid_type' && issue.received === 'undefined' ? 'is required' : issue.message;
      problems.push(`${name}: ${message}${name in raw && raw[name as keyof typeof raw] !== undefined ? ` (got "${redact(name, raw[name as keyof typeof raw])}")` : ''}`);
    }
    throw new ConfigError(problems);
  }
  const v = parsed.data;
  const port = v.PORT;
  const publicUrl = v.PUBLIC_URL ?? `http://localhost:${port}`;
  if (production) {
    problems.push(...productionSecretProblems(v.LTI_KEY, v.ADMIN_TOKEN));
    if (v.DEV_LMS) problems.push('DEV_LMS: the dev LMS must not run in production; set DEV_LMS=0');
    if (!v.PUBLIC_URL) problems.push('PUBLIC_URL: is required in production (the https:// URL LMSs reach the tool at)');
    else if (!publicUrl.startsWith('https://')) problems.push('PUBLIC_URL: must be https:// in production (LTI cookies are Secure)');
    if (!v.MONGODB_URI) problems.push('MONGODB_URI: is required in production (the embedded database is for development and tests)');
  }
  if (problems.length) throw new ConfigError(problems);
  return {
    nodeEnv: v.NODE_ENV,
    port,
    publicUrl,
    mongodbUri: v.MONGODB_URI,
    ltiKey: v.LTI_KEY,
    adminToken: v.ADMIN_TOKEN,
    devLms: v.DEV_LMS,
    devLmsPort: v.DEV_LMS_PORT,
    logLevel: v.LOG_LEVEL,
    trustProxy: parseTrustProxy(v.TRUST_PROXY),
    clockSkewSeconds: v.CLOCK_SKEW_SECONDS,
    dataDir: v.DATA_DIR,
    retentionDays: v.RETENTION_DAYS,
    retrainIntervalHours: v.RETRAIN_INTERVAL_HOURS,
    adaptMinAnswers: v.ADAPT_MIN_ANSWERS,
    ingestLimits: { learnerPerMinute: v.INGEST_LIMITS[0], learnerPerDay: v.INGEST_LIMITS[1], coursePerMinute: v.INGEST_LIMITS[2], coursePerDay: v.INGEST_LIMITS[3] },
  };
}

/** Estimated randomness a production secret must have (32 random hex digits score about 110, 16 about 53). */
export const MIN_SECRET_BITS = 64;
const MAKE_ONE = 'set a random value, e.g. the output of `openssl rand -base64 32`';

/**
 * Bits of randomness a secret seems to have: its length times the lower of two per-character
 * Shannon entropies, of its characters and of the steps between neighbours, so that repeats
 * ("aaaa…", "abab…") and runs ("abcd…", "1234…") score low while random strings score near
 * their true entropy.
 */
export function estimatedSecretBits(secret: string): number {
  const chars = [...secret].map((c) => c.codePointAt(0)!);
  const steps = chars.slice(1).map((c, i) => c - chars[i]);
  return Math.min(shannon(chars) * chars.length, shannon(steps) * steps.length);
}

function shannon(symbols: number[]): number {
  const counts = new Map<number, number>();
  for (const s of symbols) counts.set(s, (counts.get(s) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / symbols.length) * Math.log2(n / symbols.length);
  return bits;
}

/** Production refuses guessable, public and shared secrets: one leaked or guessed value must not open everything. */
function productionSecretProblems(ltiKey: string, adminToken: string | undefined): string[] {
  const tooPredictable = (name: string, secret: string) => {
    const bits = estimatedSecretBits(secret);
    return bits < MIN_SECRET_BITS ? [`${name}: too predictable for production (about ${Math.round(bits)} bits of randomness, at least ${MIN_SECRET_BITS} needed); ${MAKE_ONE}`] : [];
  };
  const problems = ltiKey === DEV_LTI_KEY ? [`LTI_KEY: the development default is refused in production; ${MAKE_ONE}`] : tooPredictable('LTI_KEY', ltiKey);
  if (adminToken === undefined) return problems;
  if (adminToken === ltiKey || adminToken === DEV_LTI_KEY) return [...problems, `ADMIN_TOKEN: must differ from LTI_KEY and from the development key (one leaked value would give away both); ${MAKE_ONE}`];
  return [...problems, ...tooPredictable('ADMIN_TOKEN', adminToken)];
}

function parseTrustProxy(v: string): boolean | number | string {
  if (v === '0' || v === 'false') return false;
  if (v === '1' || v === 'true') return 1;
  if (/^\d+$/.test(v)) return Number(v);
  return v;
}

function redact(name: string, value: unknown): string {
  return /KEY|TOKEN|URI/.test(name) ? '***' : String(value);
}
