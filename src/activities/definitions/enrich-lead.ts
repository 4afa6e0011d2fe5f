import type { DataSource } from 'typeorm';
import type { RunAgentTaskInput } from '../../contracts/run-definition';
import { leadDomain, websiteUrl } from '../../domain/lead-company-domain';
import { Company } from '../../persistence/entities/company.entity';
import { leadOf, type Lead } from './lead-input';
import { pageFacts } from './page-facts';
import { fetchWebsite, type WebsiteFetchOptions } from './web-fetch';

export interface CompanyFacts {
  name: string | null;
  industry: string | null;
  size: string | null;
  country: string | null;
  description: string | null;
  website: string | null;
}

export interface EnrichedLead {
  domain: string | null;
  company: CompanyFacts;
  source: 'website' | 'directory' | 'none';
  /** Why a source was not used (a host off the allow-list, a timeout), for the person reading the run. */
  notes: string[];
}

export interface EnrichLeadDeps {
  db: DataSource;
  website: WebsiteFetchOptions;
}

/**
 * The `research.enrich_lead` task: what the company's website says (an allow-listed host
 * only), else what the company directory holds, else what the lead gave.
 */
export async function enrichLead(deps: EnrichLeadDeps, input: RunAgentTaskInput): Promise<EnrichedLead> {
  return enrichLeadFacts(deps, leadOf(input));
}

/** The company facts for a lead already read (the lead agent's `enrich_lead` tool shares this with the task). */
export async function enrichLeadFacts(deps: EnrichLeadDeps, lead: Lead): Promise<EnrichedLead> {
  const website = websiteUrl(lead.website);
  const notes: string[] = [];
  if (lead.website && !website) notes.push(`website ${lead.website} is not an http(s) URL`);
  const domain = leadDomain(lead, website) ?? null;
  const directory = domain ? await directoryFacts(deps.db, domain, website) : undefined;

  const page = website ? await fetchWebsite(website, notes, deps.website) : undefined;
  if (page) {
    const company = websiteFacts(page, lead, directory);
    if (company) return { domain, company, source: 'website', notes };
    notes.push('website page has no title or description');
  }
  if (directory) return { domain, company: directory, source: 'directory', notes };
  if (!domain) notes.push('lead has neither an email domain nor a website');
  else notes.push(`${domain} is not in the company directory`);
  return {
    domain,
    company: { name: lead.company ?? lead.name ?? null, industry: null, size: null, country: null, description: null, website: website?.toString() ?? null },
    source: 'none',
    notes,
  };
}

/** The company directory's entry for `domain`, if any. */
async function directoryFacts(db: DataSource, domain: string, website: URL | undefined): Promise<CompanyFacts | undefined> {
  const listed = await db.getRepository(Company).findOneBy({ domain });
  return listed
    ? { name: listed.name, industry: listed.industry, size: listed.size, country: listed.country, description: listed.description, website: website?.toString() ?? `https://${listed.domain}` }
    : undefined;
}

/** The company as its page describes it (the directory filling the gaps); undefined when the page says nothing. */
function websiteFacts(page: { url: URL; html: string }, lead: Lead, directory: CompanyFacts | undefined): CompanyFacts | undefined {
  const facts = pageFacts(page.html);
  if (!facts.title && !facts.description && !facts.siteName) return undefined;
  return {
    name: facts.siteName ?? facts.title ?? directory?.name ?? lead.company ?? lead.name ?? null,
    industry: directory?.industry ?? null,
    size: directory?.size ?? null,
    country: directory?.country ?? null,
    description: facts.description ?? directory?.description ?? null,
    website: page.url.toString(),
  };
}
