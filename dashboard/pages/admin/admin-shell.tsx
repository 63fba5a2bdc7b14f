import express, { type Request, type RequestHandler } from 'express';
import type { ComponentChildren } from 'preact';
import { KermaError } from '../../../core/index.ts';
import {
  addressOf,
  recordAudit,
  requestIdOf,
  requireCsrf,
  requireUser,
  type AuditEntry,
} from '../../../access/index.ts';
import { ErrorState, Page, type PageContext } from '../../components/index.ts';
import { pageContext, type DashboardDependencies } from '../../context.ts';
import { PAGES, type PageSpec } from '../../pages.ts';

/** The administration sections, in the order of their tabs. */
export const ADMIN_SECTIONS: readonly PageSpec[] = [
  PAGES.adminUsers,
  PAGES.adminApiKeys,
  PAGES.adminTrusts,
  PAGES.adminCallingAeTitles,
];

/** An administration page: the shell, the section tabs, and what the last action said. */
export function AdminPage(props: {
  context: PageContext;
  page: PageSpec;
  problem?: string | undefined;
  children: ComponentChildren;
}) {
  return (
    <Page context={props.context} title={props.page.title}>
      <nav class="sub-nav" aria-label="Administration">
        <ul>
          {ADMIN_SECTIONS.map((section) => (
            <li key={section.path}>
              <a href={section.path} aria-current={section.path === props.page.path ? 'page' : undefined}>
                {section.title}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {props.problem ? <ErrorState title={props.problem} /> : null}
      {props.children}
    </Page>
  );
}

/** Every state-changing admin request: a form body, an admin's session, the session's CSRF token. */
export const adminForm = (page: PageSpec): RequestHandler[] => [
  express.urlencoded({ extended: false, limit: '16kb' }),
  requireUser(page.roles),
  requireCsrf,
];

/** A form field as one string ('' when absent or repeated). */
export const formText = (body: unknown, key: string): string => {
  const value = (body as Record<string, unknown> | undefined)?.[key];
  return typeof value === 'string' ? value.trim() : '';
};

/** A checkbox group's values: absent, one, or several (urlencoded repeats the key). */
export const formList = (body: unknown, key: string): string[] => {
  const value = (body as Record<string, unknown> | undefined)?.[key];
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
};

/** Audits an admin's change: who, from where, in which request; `detail` holds before/after, never a secret. */
export async function auditAdminChange(
  deps: DashboardDependencies,
  req: Request,
  entry: Pick<AuditEntry, 'action' | 'subjectKind' | 'subjectKey' | 'detail' | 'trustCode'>,
): Promise<void> {
  const { user } = pageContext(req);
  await recordAudit(deps.db, {
    actorKind: 'user',
    actorId: user.userId,
    actorName: user.name,
    address: addressOf(req),
    requestId: requestIdOf(req),
    ...entry,
  });
}

/** What a change came to: its result, or the refusal to show on the page. */
export type Attempt<T> = { ok: true; value: T } | { ok: false; message: string; status: number };

/**
 * Runs a change. A refusal the admin can act on (invalid input, a name taken, a trust unknown) comes
 * back to be shown on the page with its status, rather than as an error page; anything else throws.
 */
export async function attempt<T>(change: () => Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await change() };
  } catch (error) {
    if (error instanceof KermaError && error.httpStatus < 500) {
      return { ok: false, message: error.message, status: error.httpStatus };
    }
    throw error;
  }
}
