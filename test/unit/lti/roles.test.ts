import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTestUser, mapRoles } from '../../../src/lti/roles.js';

const LIS = 'http://purl.imsglobal.org/vocab/lis/v2/';

test('context roles, long and short forms', () => {
  assert.equal(mapRoles([LIS + 'membership#Learner']), 'student');
  assert.equal(mapRoles(['Learner']), 'student');
  assert.equal(mapRoles([LIS + 'membership#Instructor']), 'teacher');
  assert.equal(mapRoles(['Instructor']), 'teacher');
  assert.equal(mapRoles([LIS + 'membership/Instructor#TeachingAssistant']), 'teacher');
  assert.equal(mapRoles([LIS + 'membership#ContentDeveloper']), 'teacher');
});

test('institution and system administrators are admins; the highest role wins', () => {
  assert.equal(mapRoles([LIS + 'institution/person#Administrator']), 'admin');
  assert.equal(mapRoles([LIS + 'system/person#Administrator', LIS + 'membership#Learner']), 'admin');
  assert.equal(mapRoles([LIS + 'membership#Learner', LIS + 'membership#Instructor']), 'teacher');
  assert.equal(mapRoles([LIS + 'institution/person#Student']), 'student');
});

test('unknown roles map to nothing', () => {
  assert.equal(mapRoles([]), undefined);
  assert.equal(mapRoles([LIS + 'membership#Guest']), undefined);
  assert.equal(mapRoles([LIS + 'system/person#User']), undefined);
});

test('test users are recognised', () => {
  assert.equal(isTestUser(['http://purl.imsglobal.org/vocab/lti/system/person#TestUser', LIS + 'membership#Learner']), true);
  assert.equal(isTestUser([LIS + 'membership#Learner']), false);
});
