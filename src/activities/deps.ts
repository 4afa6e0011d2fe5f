import type { DataSource } from 'typeorm';
import type { OpeningHours } from '../domain/business-calendar';

/** Business settings the agents need: where the business is in time, and when it is open. */
export interface BusinessSettings {
  timezone: string;
  openingHours: OpeningHours;
  /** How long a conversation waits for a person before the customer is told so. */
  handoffTimeoutSeconds: number;
  /** How long a clarifying question counts as "already asked" for a chat. */
  clarificationWindowSeconds: number;
}

/** What search over the knowledge base returns (src/knowledge). */
export interface KnowledgeHit {
  id: string;
  title: string;
  language: string;
  score: number;
  snippet: string;
  path: string;
}

export interface KnowledgeSearch {
  search(query: string, options: { language?: 'en' | 'es'; intent?: 'inquiry' | 'troubleshooting'; limit?: number }): KnowledgeHit[];
}


export type { DataSource };
