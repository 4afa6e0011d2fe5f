import { useEffect, useState } from 'preact/hooks';

export type Page = 'inbox' | 'conversations' | 'campaigns' | 'stats' | 'definitions' | 'alerts';
export const PAGES: ReadonlyArray<{ page: Page; label: string }> = [
  { page: 'inbox', label: 'Inbox' },
  { page: 'conversations', label: 'Conversations' },
  { page: 'campaigns', label: 'Campaigns' },
  { page: 'stats', label: 'Stats' },
  { page: 'definitions', label: 'Definitions' },
  { page: 'alerts', label: 'Alerts' },
];

export interface Route {
  page: Page;
  /** `#/conversations/<chatId>`: the chat to open. */
  param?: string;
}

export function parseHash(hash: string): Route {
  const [, first = '', ...rest] = hash.replace(/^#/, '').split('/');
  const page = PAGES.find((p) => p.page === first)?.page ?? 'inbox';
  let param: string | undefined;
  if (rest.length > 0 && rest.join('/') !== '') {
    try {
      param = decodeURIComponent(rest.join('/'));
    } catch {
      param = rest.join('/');
    }
  }
  return { page, param };
}

export function href(page: Page, param?: string): string {
  return `#/${page}${param === undefined ? '' : `/${encodeURIComponent(param)}`}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
