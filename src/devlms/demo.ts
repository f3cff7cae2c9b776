import type { LmsCourse, LmsUser } from './types.js';

/** Demo people and courses. Numeric string ids, as Moodle sends them. */
export const demoUsers: LmsUser[] = [
  {
    sub: '4',
    name: 'Ada Lovelace',
    given_name: 'Ada',
    family_name: 'Lovelace',
    email: 'ada@example.edu',
    locale: 'en',
    username: 'ada',
    defaultRole: 'student',
  },
  {
    sub: '5',
    name: 'Li Wei',
    given_name: 'Wei',
    family_name: 'Li',
    email: 'li.wei@example.edu',
    locale: 'zh-Hans',
    username: 'liwei',
    defaultRole: 'student',
  },
  {
    sub: '6',
    name: 'Amara Okafor',
    given_name: 'Amara',
    family_name: 'Okafor',
    email: 'amara@example.edu',
    locale: 'en',
    username: 'amara',
    defaultRole: 'student',
  },
  {
    sub: '3',
    name: 'Grace Hopper',
    given_name: 'Grace',
    family_name: 'Hopper',
    email: 'grace@example.edu',
    locale: 'en',
    username: 'grace',
    defaultRole: 'teacher',
  },
  {
    sub: '2',
    name: 'Admin User',
    given_name: 'Admin',
    family_name: 'User',
    email: 'admin@example.edu',
    locale: 'en',
    username: 'admin',
    defaultRole: 'admin',
  },
];

export const demoCourses: LmsCourse[] = [
  { id: '2', title: 'Algebra foundations', label: 'ALG101', type: ['CourseSection'] },
  { id: '3', title: 'Cell biology', label: 'BIO110', type: ['CourseSection'] },
];

const LIS = 'http://purl.imsglobal.org/vocab/lis/v2';
export const roleUris = {
  student: [`${LIS}/membership#Learner`],
  teacher: [`${LIS}/membership#Instructor`],
  // What Moodle sends for a site administrator: institution and system admin, plus Instructor.
  admin: [
    `${LIS}/institution/person#Administrator`,
    `${LIS}/membership#Instructor`,
    `${LIS}/system/person#Administrator`,
  ],
} as const;
