/**
 * Where a lead's company is on the web: its website as a URL and its domain name, read from
 * what the lead gave (an email address, a website).
 */

const FREE_MAIL = new Set(['gmail.com', 'googlemail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'live.com', 'icloud.com', 'aol.com', 'proton.me', 'protonmail.com', 'gmx.com', 'gmx.de', 'mail.com', 'yandex.ru']);

function bareDomain(host: string): string {
  return host.toLowerCase().replace(/^www\./, '').replace(/\.$/, '');
}

/** The website as an http(s) URL (`acme.com` reads as `https://acme.com`); undefined for anything else. */
export function websiteUrl(website: string | undefined): URL | undefined {
  if (!website) return undefined;
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(website) ? website : `https://${website}`);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The company's domain: the email's, unless it is a free-mail address; else the website's. */
export function leadDomain(lead: { email?: string }, website: URL | undefined): string | undefined {
  const emailDomain = lead.email?.includes('@') ? bareDomain(lead.email.split('@').pop() ?? '') : undefined;
  if (emailDomain && !FREE_MAIL.has(emailDomain)) return emailDomain;
  return website ? bareDomain(website.hostname) : emailDomain;
}
