import { z } from 'zod';

/** Page sizes are bounded: a client cannot ask for the whole table in one response. */
export const MAX_PAGE_SIZE = 100;

/** Deepest page reachable by offset; past it, narrow the filters instead. */
export const MAX_PAGE = 100_000;

/** `page` query parameter: 1-based, at most `MAX_PAGE`. */
export const pageQuery = z.coerce.number().int().min(1).max(MAX_PAGE).default(1);

/** `limit` query parameter: 1 to `MAX_PAGE_SIZE` items, `fallback` when absent. */
export const limitQuery = (fallback: number) => z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(fallback);
