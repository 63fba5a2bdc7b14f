import type { Router } from 'express';
import { requireUser } from '../../../access/index.ts';
import type { DashboardDependencies } from '../../context.ts';
import { PAGES } from '../../pages.ts';
import { adminApiKeyRoutes } from './api-keys.tsx';
import { adminCallingAeRoutes } from './calling-ae-titles.tsx';
import { adminTrustRoutes } from './trusts.tsx';
import { adminUserRoutes } from './users.tsx';

/** The administration pages (admin role only): users, API keys, trusts, DICOM calling AE titles. */
export function adminRoutes(router: Router, deps: DashboardDependencies): void {
  // The menu entry opens the first section; each section shows the others as tabs.
  router.get(PAGES.admin.path, requireUser(PAGES.admin.roles), (_req, res) => {
    res.redirect(303, PAGES.adminUsers.path);
  });
  adminUserRoutes(router, deps);
  adminApiKeyRoutes(router, deps);
  adminTrustRoutes(router, deps);
  adminCallingAeRoutes(router, deps);
}
