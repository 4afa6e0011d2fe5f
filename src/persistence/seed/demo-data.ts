import { DateTime } from 'luxon';
import type { DataSource } from 'typeorm';
import { Company } from '../entities/company.entity';
import { Customer } from '../entities/customer.entity';
import { Order, type OrderLine } from '../entities/order.entity';
import { Product } from '../entities/product.entity';
import { CATALOG } from './catalog';

/** Chats the demo orders belong to; the seed's own WhatsApp chat is the first. */
export const DEMO_CHAT_EN = '85260552717@c.us';
export const DEMO_CHAT_ES = '34600111222@c.us';

function line(sku: string, quantity = 1): OrderLine {
  const product = CATALOG.find((p) => p.sku === sku);
  if (!product) throw new Error(`unknown sku ${sku}`);
  return { sku, name: product.name, quantity, priceCents: product.priceCents };
}

function total(lines: OrderLine[]): number {
  return lines.reduce((sum, l) => sum + l.priceCents * l.quantity, 0);
}

/** Demo orders in every state, dated relative to `now` so the return window means something. */
export function demoOrders(now: Date): Order[] {
  const t = DateTime.fromJSDate(now);
  const order = (o: Omit<Order, 'totalCents' | 'currency'>): Order => ({ ...o, totalCents: total(o.items), currency: 'USD' });
  return [
    order({ id: '45821', chatId: DEMO_CHAT_EN, status: 'shipped', items: [line('MG-100')], carrier: 'DHL', trackingNumber: 'JD014600006281230', orderedAt: t.minus({ days: 3 }).toJSDate(), shippedAt: t.minus({ days: 1 }).toJSDate(), deliveredAt: null, estimatedDelivery: t.plus({ days: 2 }).toJSDate() }),
    order({ id: '45790', chatId: DEMO_CHAT_EN, status: 'delivered', items: [line('YM-400'), line('RB-410')], carrier: 'DHL', trackingNumber: 'JD014600006281001', orderedAt: t.minus({ days: 14 }).toJSDate(), shippedAt: t.minus({ days: 12 }).toJSDate(), deliveredAt: t.minus({ days: 10 }).toJSDate(), estimatedDelivery: null }),
    order({ id: 'ORD-1234', chatId: DEMO_CHAT_EN, status: 'processing', items: [line('PB-500')], carrier: null, trackingNumber: null, orderedAt: t.minus({ hours: 5 }).toJSDate(), shippedAt: null, deliveredAt: null, estimatedDelivery: t.plus({ days: 4 }).toJSDate() }),
    order({ id: '45900', chatId: DEMO_CHAT_ES, status: 'delivered', items: [line('SS-510')], carrier: 'Correos', trackingNumber: 'PQ4F6P0702345670108001X', orderedAt: t.minus({ days: 45 }).toJSDate(), shippedAt: t.minus({ days: 43 }).toJSDate(), deliveredAt: t.minus({ days: 40 }).toJSDate(), estimatedDelivery: null }),
    order({ id: '45955', chatId: DEMO_CHAT_ES, status: 'delivered', items: [line('PC-300')], carrier: 'Correos', trackingNumber: 'PQ4F6P0702345670108999X', orderedAt: t.minus({ days: 9 }).toJSDate(), shippedAt: t.minus({ days: 8 }).toJSDate(), deliveredAt: t.minus({ days: 6 }).toJSDate(), estimatedDelivery: null }),
  ];
}

/** The company directory the research agent falls back to (seed 004's lead is Acme Corp). */
export const DEMO_COMPANIES: Company[] = [
  { domain: 'acmecorp.com', name: 'Acme Corp', industry: 'Manufacturing', size: '201-500', country: 'US', description: 'Industrial equipment maker modernising its customer support.' },
  { domain: 'globex.com', name: 'Globex Corporation', industry: 'Energy', size: '1001-5000', country: 'US', description: 'Energy and utilities group with a large field-service team.' },
  { domain: 'initech.com', name: 'Initech', industry: 'Software', size: '51-200', country: 'US', description: 'Business software for banks and insurers.' },
  { domain: 'umbrella.co.uk', name: 'Umbrella Health', industry: 'Healthcare', size: '501-1000', country: 'GB', description: 'Private clinics network across the United Kingdom.' },
  { domain: 'tiendasol.es', name: 'Tienda Sol', industry: 'Retail', size: '11-50', country: 'ES', description: 'Cadena de tiendas de hogar en Andalucía.' },
];

/**
 * Seeds the catalog, demo customers, demo orders and the company directory. Idempotent: existing rows are left as
 * they are (a customer's edits survive a restart), missing ones are added.
 */
export async function seedDemoData(db: DataSource, now: Date = new Date()): Promise<{ products: number; orders: number }> {
  await db.createQueryBuilder().insert().into(Product).values(CATALOG).orIgnore().execute();
  await db
    .createQueryBuilder()
    .insert()
    .into(Customer)
    .values([
      { chatId: DEMO_CHAT_EN, name: 'Ana Chan', email: 'ana.chan@example.com', phone: '+85260552717', language: 'en', timezone: 'Asia/Hong_Kong', preferences: {}, optedOut: false, deletionRequestedAt: null },
      { chatId: DEMO_CHAT_ES, name: 'Lucía Pérez', email: 'lucia.perez@example.es', phone: '+34600111222', language: 'es', timezone: 'Europe/Madrid', preferences: {}, optedOut: false, deletionRequestedAt: null },
    ])
    .orIgnore()
    .execute();
  await db.createQueryBuilder().insert().into(Order).values(demoOrders(now)).orIgnore().execute();
  await db.createQueryBuilder().insert().into(Company).values(DEMO_COMPANIES).orIgnore().execute();
  return { products: await db.getRepository(Product).count(), orders: await db.getRepository(Order).count() };
}
