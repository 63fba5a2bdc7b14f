import { AUDIT_READERS, ROLES, type Role } from '../access/index.ts';

/**
 * Every signed-in page, in navigation order: its path, its title (heading, tab and menu text) and
 * the roles that may open it. Routes check the roles and the menu is built from this one table, so
 * the two cannot disagree. Later issues add their pages here (studies, rooms, quarantine, admin…).
 */
export interface PageSpec {
  readonly path: string;
  readonly title: string;
  readonly roles: readonly Role[];
  /** Shown in the navigation bar; account pages are reached from the header instead. */
  readonly inNavigation: boolean;
}

export const PAGES = {
  overview: { path: '/', title: 'Overview', roles: ROLES, inNavigation: true },
  studies: { path: '/studies', title: 'Studies', roles: ROLES, inNavigation: true },
  // Dose optimisation is the medical physicist's duty; governance reads it for audits.
  drlCompliance: {
    path: '/drl-compliance',
    title: 'DRL compliance',
    roles: ['physicist', 'governance', 'admin'],
    inNavigation: true,
  },
  // Rooms and the quarantine are the work of those who look after the equipment and the data flow;
  // a radiographer's room-level view is the high-dose notices (a later issue).
  rooms: {
    path: '/rooms',
    title: 'Rooms and devices',
    roles: ['physicist', 'governance', 'admin'],
    inNavigation: true,
  },
  quarantine: { path: '/quarantine', title: 'Quarantine', roles: ['physicist', 'admin'], inNavigation: true },
  // Reference sets (DRLs, factors): read by those who review doses, loaded by physicists and admins.
  referenceLevels: {
    path: '/reference-levels',
    title: 'Reference levels',
    roles: ['physicist', 'governance', 'admin'],
    inNavigation: true,
  },
  referenceSet: {
    path: '/reference-levels/:referenceSetId',
    title: 'Reference set',
    roles: ['physicist', 'governance', 'admin'],
    inNavigation: false,
  },
  // Heights and weights from the RIS fill what dose objects lack (SSDE, weight bands of local DRLs).
  patientSize: {
    path: '/patient-size',
    title: 'Patient size import',
    roles: ['physicist', 'admin'],
    inNavigation: true,
  },
  // The rules that decide each study's standard procedure; physicists and administrators edit them.
  procedureMapping: {
    path: '/procedure-mapping',
    title: 'Procedure mapping',
    roles: ['physicist', 'governance', 'admin'],
    inNavigation: true,
  },
  changePassword: { path: '/account/password', title: 'Change password', roles: ROLES, inNavigation: false },
  // Reached from a study list or a link, never from the menu; trust scoping is in its store.
  study: { path: '/studies/:studyId', title: 'Study', roles: ROLES, inNavigation: false },
  // Issue 11: a physicist's trend view; a patient's cumulative dose for everyone who may see a
  // patient (a radiographer checks it before a repeat), each within their trusts.
  doseTrends: {
    path: '/dose-trends',
    title: 'Dose trends',
    roles: ['physicist', 'governance', 'admin'],
    inNavigation: true,
  },
  patientDose: { path: '/patient-dose', title: 'Patient dose history', roles: ROLES, inNavigation: true },
  audit: { path: '/audit', title: 'Audit log', roles: AUDIT_READERS, inNavigation: true },
  // Administration: one menu entry (it opens the users section); the sections are tabs of their own.
  admin: { path: '/admin', title: 'Administration', roles: ['admin'], inNavigation: true },
  adminUsers: { path: '/admin/users', title: 'Users', roles: ['admin'], inNavigation: false },
  adminApiKeys: { path: '/admin/api-keys', title: 'API keys', roles: ['admin'], inNavigation: false },
  adminTrusts: { path: '/admin/trusts', title: 'Trusts', roles: ['admin'], inNavigation: false },
  adminCallingAeTitles: {
    path: '/admin/dicom-callers',
    title: 'DICOM calling AE titles',
    roles: ['admin'],
    inNavigation: false,
  },
} as const satisfies Record<string, PageSpec>;

/** Pages anyone may open (they never show data). */
export const PUBLIC_PAGES = {
  signIn: { path: '/sign-in', title: 'Sign in' },
  signOut: { path: '/sign-out', title: 'Sign out' },
} as const;

export function navigationFor(roles: readonly Role[]): PageSpec[] {
  return Object.values(PAGES).filter(
    (page: PageSpec) => page.inNavigation && page.roles.some((role) => roles.includes(role)),
  );
}
