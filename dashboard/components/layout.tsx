import type { ComponentChildren } from 'preact';
import type { SignedInUser } from '../../access/index.ts';
import { navigationFor, PAGES, PUBLIC_PAGES } from '../pages.ts';
import { HtmlDocument } from './document.tsx';
import type { AssetName } from '../static-assets.ts';

/** What every signed-in page knows about its request. */
export interface PageContext {
  readonly user: SignedInUser;
  readonly csrfToken: string;
  readonly path: string;
}

function Header(props: { context: PageContext }) {
  const { user, csrfToken } = props.context;
  return (
    <header class="site-header">
      <a class="brand" href={PAGES.overview.path}>
        Kerma
      </a>
      <span class="brand-note">Regional dose monitoring</span>
      <div class="who" aria-label="Signed in as">
        <span class="who-name">{user.name}</span>
        <span class="who-roles">{user.roles.join(', ')}</span>
        <span class="who-trusts" title={user.trusts.map((t) => t.name).join(', ')}>
          {user.trusts.map((t) => t.code).join(' · ')}
        </span>
        <a href={PAGES.changePassword.path}>Change password</a>
        <form method="post" action={PUBLIC_PAGES.signOut.path} class="inline-form">
          <input type="hidden" name="_csrf" value={csrfToken} />
          <button type="submit" class="link-button">
            Sign out
          </button>
        </form>
      </div>
    </header>
  );
}

/** A menu entry is current on its own page and on the pages under it (/admin for /admin/users). */
const isCurrent = (entry: string, path: string): boolean =>
  entry === path || (entry !== '/' && path.startsWith(`${entry}/`));

function Navigation(props: { context: PageContext }) {
  const pages = navigationFor(props.context.user.roles);
  return (
    <nav class="site-nav" aria-label="Main">
      <ul>
        {pages.map((page) => (
          <li key={page.path}>
            <a href={page.path} aria-current={isCurrent(page.path, props.context.path) ? 'page' : undefined}>
              {page.title}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** A signed-in page: skip link, header with the user, navigation by role, then the page's main content. */
export function Page(props: {
  context: PageContext;
  title: string;
  scripts?: readonly AssetName[] | undefined;
  children: ComponentChildren;
}) {
  return (
    <HtmlDocument title={props.title} scripts={props.scripts}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <Header context={props.context} />
      <Navigation context={props.context} />
      <main id="main" tabIndex={-1}>
        <h1>{props.title}</h1>
        {props.children}
      </main>
    </HtmlDocument>
  );
}

/** A page shown before sign-in: no navigation, a narrow centred panel. */
export function PublicPage(props: { title: string; refreshTo?: string; children: ComponentChildren }) {
  return (
    <HtmlDocument title={props.title} refreshTo={props.refreshTo}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="site-header">
        <span class="brand">Kerma</span>
        <span class="brand-note">Regional dose monitoring</span>
      </header>
      <main id="main" class="narrow" tabIndex={-1}>
        <h1>{props.title}</h1>
        {props.children}
      </main>
    </HtmlDocument>
  );
}
