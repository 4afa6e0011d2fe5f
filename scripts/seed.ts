import { loadConfig } from '../src/config';
import { openDatabase } from '../src/persistence';
import { seedDemoData } from '../src/persistence/seed/demo-data';

/**
 * `npm run db:seed`: migrates the configured database and adds the demo catalog, customers
 * and orders (rows that exist are left alone). `npm run dev` does this on its own.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const counts = await seedDemoData(db);
    process.stdout.write(`seeded ${db.options.type}: ${counts.products} products, ${counts.orders} orders\n`);
  } finally {
    await db.destroy();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
