import type { Request, Response, Router } from 'express';
import { demoCourses, demoUsers } from './demo.js';
import { mintRegistrationToken } from './registration.js';
import { render } from './render.js';
import { loginUrl } from './simulator.js';
import { PLATFORM_STORAGE_SCRIPT, platformStorageMode } from './platform_storage.js';
import type { LmsState } from './state.js';
import type { LaunchOptions, RoleName } from './types.js';

const ROLES: { value: '' | RoleName; label: string }[] = [
  { value: '', label: "The person's usual role" },
  { value: 'student', label: 'Student (Learner)' },
  { value: 'teacher', label: 'Teacher (Instructor)' },
  { value: 'admin', label: 'Site administrator' },
];
const LOCALES = [
  { value: 'en', label: 'English' },
  { value: 'zh-Hans', label: '简体中文 (zh-Hans)' },
];

const STORAGE_MODES = [
  { value: 'off', label: 'Off (the tool relies on its cookie)' },
  { value: 'on', label: 'On, announced with lti_storage_target' },
  { value: 'capabilities', label: 'On, found only through lti.capabilities' },
];

type Choice = {
  tool: string;
  user: string;
  role: string;
  course: string;
  link: string;
  locale: string;
  storage: string;
};

function readChoice(state: LmsState, src: Record<string, unknown>): Choice {
  const pick = (k: string, allowed: string[], fallback: string) => {
    const v = typeof src[k] === 'string' ? (src[k] as string) : '';
    return allowed.includes(v) ? v : fallback;
  };
  const tools = [...state.tools.keys()];
  const course = pick(
    'course',
    demoCourses.map((c) => c.id),
    demoCourses[0].id,
  );
  return {
    tool: pick('tool', tools, state.tool() ? state.defaultClientId : (tools[0] ?? '')),
    user: pick(
      'user',
      demoUsers.map((u) => u.sub),
      demoUsers[0].sub,
    ),
    role: pick(
      'role',
      ROLES.map((r) => r.value),
      '',
    ),
    course,
    link: typeof src.link === 'string' ? src.link : 'default',
    locale: pick(
      'locale',
      LOCALES.map((l) => l.value),
      'en',
    ),
    storage: pick(
      'storage',
      STORAGE_MODES.map((m) => m.value),
      'off',
    ),
  };
}

/** Turns the launcher form into launch options; links created by deep linking carry their course. */
function optionsFor(state: LmsState, c: Choice): LaunchOptions {
  const o: LaunchOptions = { clientId: c.tool, user: c.user, course: c.course, locale: c.locale };
  if (c.role) o.role = c.role as RoleName;
  if (c.storage !== 'off') o.platformStorage = c.storage === 'on' ? true : 'capabilities';
  if (c.link === 'deep-linking') o.messageType = 'LtiDeepLinkingRequest';
  else if (c.link.startsWith('link:')) {
    const link = state.resourceLinks.find((l) => l.id === c.link.slice(5) && l.clientId === c.tool);
    if (link) {
      o.resourceLink = { id: link.id, title: link.title };
      o.course = link.courseId;
    }
  }
  return o;
}

function launcherContext(state: LmsState, choice: Choice) {
  return {
    title: 'Launcher',
    choice,
    tools: [...state.tools.values()],
    users: demoUsers,
    roles: ROLES,
    courses: demoCourses,
    locales: LOCALES,
    storageModes: STORAGE_MODES,
    links: state.resourceLinks
      .filter((l) => l.clientId === choice.tool)
      .map((l) => ({ ...l, course: demoCourses.find((c) => c.id === l.courseId)?.label ?? l.courseId })),
    deepLinking: state.tool(choice.tool)?.deepLinking ?? false,
  };
}

export function pageRoutes(router: Router, state: LmsState): void {
  router.get('/dev/lms', (req, res) => {
    render(res, 'launcher', launcherContext(state, readChoice(state, req.query)));
  });

  router.post('/dev/lms/launch', (req, res) => {
    const choice = readChoice(state, req.body ?? {});
    if (!state.tool(choice.tool)) {
      return render(res, 'error', { title: 'No tool', message: 'Register a tool first (Admin).' }, 400);
    }
    const options = optionsFor(state, choice);
    render(res, 'launcher', {
      ...launcherContext(state, choice),
      frameUrl: loginUrl(state, options),
      platformStorageScript: platformStorageMode(options) === 'off' ? undefined : PLATFORM_STORAGE_SCRIPT,
      windowUrl: loginUrl(state, {
        ...options,
        frame: 'window',
        launchPresentation: { document_target: 'window' },
        // A new window has no parent frame to store in.
        platformStorage: undefined,
      }),
    });
  });

  router.get('/dev/lms/return', (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    render(res, 'return', {
      title: 'Back from the tool',
      msg: q.lti_msg,
      errormsg: q.lti_errormsg,
      course: q.course,
    });
  });

  const admin = (_req: Request, res: Response, extra: Record<string, unknown> = {}) =>
    render(res, 'admin', {
      title: 'Admin',
      registrationUrl: `${state.toolUrl}/lti/register`,
      tools: [...state.tools.values()],
      ...extra,
    });
  router.get('/dev/lms/admin', (req, res) => admin(req, res));

  // Like Moodle's "Register" button: a fresh single-use token, then the tool's page in an iframe.
  router.post('/dev/lms/admin/register', (req, res) => {
    const raw = typeof req.body?.url === 'string' ? req.body.url.trim() : '';
    let target: URL;
    try {
      target = new URL(raw);
      if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error('not http');
    } catch {
      return admin(req, res, { error: `"${raw}" is not an http(s) URL.`, registrationUrl: raw });
    }
    target.searchParams.set('openid_configuration', state.openidConfigurationUrl);
    // Moodle's "update": the same URL again, for a tool the LMS already has.
    const update = typeof req.body?.update === 'string' && state.tools.has(req.body.update) ? req.body.update : undefined;
    target.searchParams.set('registration_token', mintRegistrationToken(state, update));
    admin(req, res, { registrationUrl: raw, frameUrl: target.href, toolOrigin: target.origin });
  });
}
