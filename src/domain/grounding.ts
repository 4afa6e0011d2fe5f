/**
 * Grounded answers: what a reply a model wrote may claim. (Types; the check itself is
 * being written — see the issue-15 brief.)
 */

/** What tool calls (or a rule agent's reply) returned, which a reply may therefore claim. */
export interface Evidence {
  /** Bookings made, moved or cancelled by a tool: their reference, local date (YYYY-MM-DD) and time (HH:MM). */
  bookings?: Array<{ reference: string; date: string; time: string; status: 'booked' | 'moved' | 'cancelled' }>;
  /** Any identifier a reply may quote: booking references, order numbers, return (RMA) and quote ids, reservations. */
  references?: string[];
  /** Prices and totals, in minor units. */
  amounts?: Array<{ cents: number; currency: string }>;
  /** Dates (YYYY-MM-DD, the business's zone) a reply may name: free slots offered, delivery dates. */
  dates?: string[];
  /** Times (HH:MM, 24-hour, the business's zone) a reply may name. */
  times?: string[];
  /** Order statuses as stored (`processing`, `shipped`, `delivered`, `cancelled`, …). */
  orderStatuses?: string[];
}
