import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** Where a fault applies when no path is given: the LMS's services (AGS and NRPS), not its pages. */
const SERVICES = '/mod/lti/services.php/';

interface FailureRule {
  remaining: number;
  status: number;
  path?: string | RegExp;
  message: string;
}

const matches = (rule: FailureRule, path: string) =>
  rule.path === undefined
    ? path.startsWith(SERVICES)
    : typeof rule.path === 'string'
      ? path.includes(rule.path)
      : rule.path.test(path);

/**
 * Fault switches for tests: what a flaky or slow LMS does to a tool's service calls. Failures are
 * answered before the request is looked at, so a failed request changes nothing in the LMS.
 */
export class Faults {
  /** Added before every service and token request is answered. */
  latencyMs = 0;
  /** Requests answered with an injected failure so far. */
  injected = 0;
  /** Every service and token request received, in order (`POST /token`, `POST …/scores`), failed or not. */
  readonly requests: string[] = [];
  private rules: FailureRule[] = [];

  constructor(private readonly expireAll: () => void) {}

  /**
   * The next `n` requests whose path contains `path` (or matches it; default: every AGS/NRPS
   * service request) are answered with `status` and a JSON body carrying `message`.
   */
  failNext(
    n: number,
    status: number,
    path?: string | RegExp,
    message = `injected failure (${status})`,
  ): void {
    this.rules.push({ remaining: n, status, path, message });
  }

  /** Every access token issued so far stops working, as if its lifetime had run out. */
  expireTokens(): void {
    this.expireAll();
  }

  /** Back to a healthy LMS. */
  reset(): void {
    this.rules = [];
    this.latencyMs = 0;
  }

  readonly handler: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    const path = req.path;
    if (!path.startsWith(SERVICES) && path !== '/token') return next();
    this.requests.push(`${req.method} ${req.originalUrl}`);
    const rule = this.rules.find((r) => r.remaining > 0 && matches(r, path));
    const answer = () => {
      if (!rule) return next();
      rule.remaining--;
      this.rules = this.rules.filter((r) => r.remaining > 0);
      this.injected++;
      res.status(rule.status).json({ error: 'injected_fault', message: rule.message });
    };
    if (this.latencyMs > 0) setTimeout(answer, this.latencyMs);
    else answer();
  };
}
