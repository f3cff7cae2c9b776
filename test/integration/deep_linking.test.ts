import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import jwt from 'jsonwebtoken';
import { findPathway } from '../../src/content/catalog.js';
import { seedDemoContent } from '../../src/content/demo.js';
import { tenantId } from '../../src/lti/tenancy.js';
import { startToolAndLms, TEST_CLIENT_ID, TEST_DEPLOYMENT_ID, type ToolAndLms } from '../support/lti.js';

let env: ToolAndLms;
before(async () => {
  env = await startToolAndLms({ LABEL: 'deep_linking' });
  await seedDemoContent(tenantId(env.lms.issuer, TEST_CLIENT_ID, TEST_DEPLOYMENT_ID));
});
after(async () => env.close());

const DL = 'https://purl.imsglobal.org/spec/lti-dl/claim/';
const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';

async function pickerFor(deepLinking: Record<string, unknown> = {}) {
  const r = await env.launchAs({ role: 'teacher', messageType: 'LtiDeepLinkingRequest', deepLinking });
  assert.equal(r.status, 200, r.body.slice(0, 300));
  assert.equal(new URL(r.url).pathname, '/teacher/deep-link');
  return r;
}

async function choose(ltik: string, picks: string[]) {
  const body = new URLSearchParams({ ltik });
  for (const p of picks) body.append('pick', p);
  const res = await fetch(`${env.tool.url}/teacher/deep-link`, { method: 'POST', body, headers: { accept: 'text/html' } });
  return { status: res.status, html: await res.text() };
}

const formOf = (html: string) => ({
  action: /<form id="deep-link-return" method="post" action="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&'),
  token: /name="JWT" value="([^"]+)"/.exec(html)?.[1],
});

async function verifyWithToolKeys(token: string): Promise<jwt.JwtPayload> {
  const { header } = jwt.decode(token, { complete: true })!;
  const { keys } = (await (await fetch(`${env.tool.url}/lti/keys`)).json()) as { keys: (Record<string, string> & { kid: string })[] };
  const jwk = keys.find((k) => k.kid === header.kid);
  assert.ok(jwk, `the kid ${header.kid} is published at /lti/keys`);
  return jwt.verify(token, createPublicKey({ key: jwk, format: 'jwk' }), { algorithms: ['RS256'] }) as jwt.JwtPayload;
}

describe('deep linking round trip with the platform simulator', () => {
  test('two pathways chosen → signed response → the LMS stores two links with gradebook columns', async () => {
    const r = await pickerFor();
    assert.match(r.body, /type="checkbox" name="pick" id="pick-pathway-fractions"/);
    assert.match(r.body, /Algebra readiness/);
    const { status, html } = await choose(r.ltik, ['pathway:fractions', 'pathway:early-algebra']);
    assert.equal(status, 200, html.slice(0, 300));
    const form = formOf(html);
    assert.match(html, /src="\/static\/js\/picker-return.js"/, 'the form submits itself');
    assert.equal(form.action, `${env.lms.url}/deep-link-return`);

    const claims = await verifyWithToolKeys(form.token!);
    assert.equal(claims.iss, TEST_CLIENT_ID);
    assert.equal(claims.aud, env.lms.issuer);
    assert.ok(typeof claims.nonce === 'string' && claims.nonce.length >= 16);
    assert.ok(claims.exp! > claims.iat! && claims.iat! <= Date.now() / 1000 + 1);
    assert.equal(claims[LTI + 'message_type'], 'LtiDeepLinkingResponse');
    assert.equal(claims[LTI + 'version'], '1.3.0');
    assert.equal(claims[LTI + 'deployment_id'], TEST_DEPLOYMENT_ID);
    assert.ok(typeof claims[DL + 'data'] === 'string' && claims[DL + 'data'], 'data is echoed');
    const items = claims[DL + 'content_items'] as Record<string, unknown>[];
    assert.equal(items.length, 2);
    assert.deepEqual(items[0], {
      type: 'ltiResourceLink',
      title: 'Fractions',
      text: 'What fractions are, equivalent fractions, adding, multiplying and decimals.',
      url: `${env.tool.url}/lti/launch`,
      custom: { wayfinder_pathway: 'fractions' },
      lineItem: { label: 'Fractions', scoreMaximum: 100, resourceId: 'pathway:fractions', tag: 'wayfinder-pathway' },
    });

    // The browser's auto-submitted form, as the LMS receives it.
    const back = await fetch(form.action!, { method: 'POST', body: new URLSearchParams({ JWT: form.token! }), headers: { accept: 'application/json' } });
    const stored = (await back.json()) as { links: { id: string; custom: Record<string, string>; lineItem: { label: string; scoreMaximum: number } }[] };
    assert.equal(back.status, 200, JSON.stringify(stored));
    assert.deepEqual(stored.links.map((l) => l.custom), [{ wayfinder_pathway: 'fractions' }, { wayfinder_pathway: 'early-algebra' }]);
    assert.deepEqual(stored.links.map((l) => [l.lineItem.label, l.lineItem.scoreMaximum]), [['Fractions', 100], ['Early algebra', 100]]);

    // A student launching the new link lands in exactly that pathway.
    const launch = await env.launchAs({ role: 'student', resourceLink: { id: stored.links[1].id } });
    assert.equal(launch.status, 200, launch.body.slice(0, 300));
    assert.equal(new URL(launch.url).pathname, '/student');
    assert.match(launch.body, /<h2 id="pathway-heading">Early algebra<\/h2>/);
    // Which item comes next is the recommender's choice; it must be one of this pathway's, opened inside it.
    const next = /<p class="next-title"><a href="\/student\/items\/([^"?]+)\?ltik=[^"]+&amp;pathway=early-algebra[&"]/.exec(launch.body);
    assert.ok(next, 'the next-up link opens an item inside early-algebra');
    const pathway = await findPathway({ tenantId: tenantId(env.lms.issuer, TEST_CLIENT_ID, TEST_DEPLOYMENT_ID) }, 'early-algebra');
    assert.ok(pathway?.items.includes(decodeURIComponent(next[1])), `${next[1]} belongs to early-algebra`);
    assert.match(launch.body, /<p class="reason">[^<\s][^<]*<\/p>/, 'the suggestion says why');
  });

  test('one item chosen: custom names the item, and its launch opens that item', async () => {
    const r = await pickerFor();
    const { html } = await choose(r.ltik, ['item:frac-add-2']);
    const form = formOf(html);
    const claims = await verifyWithToolKeys(form.token!);
    const [item] = claims[DL + 'content_items'] as { custom: Record<string, string>; lineItem: { resourceId: string } }[];
    assert.deepEqual(item.custom, { wayfinder_item: 'frac-add-2' });
    assert.equal(item.lineItem.resourceId, 'item:frac-add-2');
    const back = await fetch(form.action!, { method: 'POST', body: new URLSearchParams({ JWT: form.token! }), headers: { accept: 'application/json' } });
    const { links } = (await back.json()) as { links: { id: string }[] };
    const launch = await env.launchAs({ role: 'student', resourceLink: { id: links[0].id } });
    assert.match(launch.body, /<h1 lang="en">What is 1\/2 \+ 1\/3\?/);
    assert.doesNotMatch(launch.body, /5\/6/, 'the answer key never reaches the page');
  });

  test('accept_multiple false: radio buttons, and two choices are refused', async () => {
    const r = await pickerFor({ accept_multiple: false });
    assert.match(r.body, /type="radio" name="pick" id="pick-pathway-fractions"/);
    assert.doesNotMatch(r.body, /type="checkbox" name="pick"/);
    const two = await choose(r.ltik, ['pathway:fractions', 'pathway:arithmetic']);
    assert.equal(two.status, 400);
    assert.match(two.html, /one choice at a time/);
    const one = await choose(r.ltik, ['pathway:fractions']);
    assert.equal((await verifyWithToolKeys(formOf(one.html).token!))[DL + 'content_items'].length, 1);
  });

  test('refused types are never offered: a platform that accepts no resource links gets nothing to pick', async () => {
    const r = await pickerFor({ accept_types: ['file', 'html'] });
    assert.doesNotMatch(r.body, /name="pick"/);
    assert.match(r.body, /offers LTI resource links only/);
    const forced = await choose(r.ltik, ['pathway:fractions']);
    assert.equal(forced.status, 400);
    assert.doesNotMatch(forced.html, /name="JWT"/);
  });

  test('the data claim comes back exactly as sent; no lineItem when the platform does not accept one', async () => {
    const r = await pickerFor({ data: 'opaque ✓ 42', accept_lineitem: false });
    const claims = await verifyWithToolKeys(formOf((await choose(r.ltik, ['pathway:fractions'])).html).token!);
    assert.equal(claims[DL + 'data'], 'opaque ✓ 42');
    assert.equal((claims[DL + 'content_items'] as Record<string, unknown>[])[0].lineItem, undefined);
  });

  test('search and filters narrow the picker', async () => {
    const r = await pickerFor();
    const get = async (q: Record<string, string>) => (await fetch(`${env.tool.url}/teacher/deep-link?${new URLSearchParams({ ltik: r.ltik, ...q })}`)).text();
    const byType = await get({ type: 'reading' });
    assert.equal((byType.match(/id="pick-item-/g) ?? []).length, 13);
    assert.doesNotMatch(byType, /id="pick-pathway-/, 'pathways are not of an item type');
    const bySkill = await get({ skill: 'decimals' });
    assert.deepEqual([...bySkill.matchAll(/id="pick-item-([\w-]+)"/g)].map((m) => m[1]), ['decimals-read', 'decimals-1', 'decimals-2', 'decimals-3', 'decimals-4']);
    assert.match(bySkill, /id="pick-pathway-fractions"/);
    const search = await get({ q: 'taxi' });
    assert.deepEqual([...search.matchAll(/id="pick-item-([\w-]+)"/g)].map((m) => m[1]), ['equations-2-4']);
    const preview = await fetch(`${env.tool.url}/teacher/deep-link/preview/equations-2-4?ltik=${r.ltik}`);
    assert.equal(preview.status, 200);
    assert.doesNotMatch(await preview.text(), /"value"|unitAliases/);
  });

  test('students cannot open the picker, and a resource link launch cannot answer with content items', async () => {
    const student = await env.launchAs({ role: 'student' });
    const res = await fetch(`${env.tool.url}/teacher/deep-link?ltik=${student.ltik}`);
    assert.equal(res.status, 403);
    const teacher = await env.launchAs({ role: 'teacher' });
    assert.equal((await choose(teacher.ltik, ['pathway:fractions'])).status, 403);
  });
});

describe('a resource link to a target that is gone', () => {
  test('gets a helpful page, not an error dump', async () => {
    for (const custom of [{ wayfinder_pathway: 'deleted-pathway' }, { wayfinder_item: 'deleted-item' }] as Record<string, string>[]) {
      const r = await env.launchAs({ role: 'student', custom });
      assert.equal(r.status, 404);
      assert.match(r.body, /This activity cannot be found/);
      assert.match(r.body, /no longer in your course/);
      assert.doesNotMatch(r.body, /at \w+ \(|Error:/);
    }
  });
});
