import type { NextFunction, Request, Response } from 'express';

/**
 * Adds `Partitioned` (CHIPS) to every `SameSite=None` cookie, which ltijs cannot set itself, so
 * browsers that block unpartitioned third-party cookies still keep the login state cookie
 * inside the LMS iframe.
 */
export function partitionedCookies(_req: Request, res: Response, next: NextFunction): void {
  const setHeader = res.setHeader.bind(res);
  res.setHeader = (name: string, value: number | string | readonly string[]) => {
    if (name.toLowerCase() === 'set-cookie') {
      const add = (c: string) => (/;\s*SameSite=None/i.test(c) && !/;\s*Partitioned/i.test(c) ? `${c}; Partitioned` : c);
      value = Array.isArray(value) ? value.map(add) : typeof value === 'string' ? add(value) : value;
    }
    return setHeader(name, value);
  };
  next();
}
