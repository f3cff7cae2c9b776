// The small part of ltijs's (untyped) API that Wayfinder uses.
declare module 'ltijs' {
  import type { Express, Request, Response, NextFunction } from 'express';
  export interface LtiPlatform {
    platformId(): Promise<string>;
    platformKid(): Promise<string>;
    platformActive(active?: boolean): Promise<boolean>;
    platformPrivateKey(): Promise<string>;
    delete(): Promise<void>;
  }
  export interface IdToken {
    iss: string;
    user: string;
    clientId: string;
    platformId: string;
    deploymentId: string;
    userInfo?: { given_name?: string; family_name?: string; name?: string; email?: string };
    platformContext: Record<string, unknown> & {
      contextId: string;
      roles: string[];
      context?: { id: string; title?: string; label?: string; type?: string[] };
      resource?: { id: string; title?: string };
      messageType: string;
      custom?: Record<string, unknown>;
      launchPresentation?: { locale?: string; document_target?: string; return_url?: string };
      endpoint?: Record<string, unknown>;
      namesRoles?: Record<string, unknown>;
      deepLinkingSettings?: Record<string, unknown>;
    };
  }
  type Handler = (token: IdToken, req: Request, res: Response, next: NextFunction) => unknown;
  export interface ProviderInstance {
    app: Express;
    setup(key: string, database: { url: string; plugin?: unknown; connection?: Record<string, unknown> }, options: Record<string, unknown>): ProviderInstance;
    deploy(options: { serverless: boolean; silent?: boolean }): Promise<boolean>;
    close(options?: { silent?: boolean }): Promise<boolean>;
    onConnect(cb: Handler): void;
    onDeepLinking(cb: Handler): void;
    onInvalidToken(cb: (req: Request, res: Response, next: NextFunction) => unknown): void;
    onSessionTimeout(cb: (req: Request, res: Response, next: NextFunction) => unknown): void;
    onUnregisteredPlatform(cb: (req: Request, res: Response, next: NextFunction) => unknown): void;
    onInactivePlatform(cb: (req: Request, res: Response, next: NextFunction) => unknown): void;
    registerPlatform(p: {
      url: string;
      name: string;
      clientId: string;
      authenticationEndpoint: string;
      accesstokenEndpoint: string;
      authorizationServer?: string;
      authConfig: { method: 'JWK_SET' | 'JWK_KEY' | 'RSA_KEY'; key: string };
    }): Promise<LtiPlatform>;
    getPlatform(url: string, clientId: string): Promise<LtiPlatform | false>;
    deletePlatform(url: string, clientId: string): Promise<boolean>;
    DeepLinking: {
      createDeepLinkingMessage(token: IdToken, items: unknown[], options?: { message?: string; log?: string; errMessage?: string; errLog?: string }): Promise<string>;
    };
  }
  export const Provider: ProviderInstance;
}
declare module 'ltijs/dist/Utils/Auth.js' {
  const Auth: {
    verifyToken(token: string, key: string, params: { alg: string }, platform: unknown, db: unknown): Promise<Record<string, unknown>>;
    oidcValidation(token: unknown, platform: unknown, params: unknown, db: unknown): Promise<unknown>;
    claimValidation(token: unknown): Promise<unknown>;
    // Replaced by Wayfinder's adapters in src/lti/contrib/ (their own signatures).
    validateToken(...args: never[]): Promise<unknown>;
    validateNonce(token: { nonce?: string; iss?: string }, db?: unknown): Promise<unknown>;
    generatePlatformKeyPair(...args: never[]): Promise<string>;
    [k: string]: unknown;
  };
  export default Auth;
}
declare module 'ltijs/dist/Utils/Database.js' {
  /** ltijs's mongoose-backed store; a plugin replaces its Get/Insert/Replace/Modify/Delete. */
  class Database {
    constructor(database: { url: string });
    setup(): Promise<boolean>;
    Encrypt(data: string, secret: string): Promise<{ iv: string; data: string }>;
    Decrypt(data: string, iv: string, secret: string): Promise<string>;
  }
  export default Database;
}
