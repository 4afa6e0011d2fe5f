import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config';
import { dataSourceOptions } from './data-source';

/**
 * The data source for the TypeORM CLI, from the same configuration the app uses:
 *   npx typeorm migration:show -d dist/src/persistence/cli-data-source.js
 * (`npm run db:migrate` applies the committed migrations; the app also applies them at start.)
 */
const config = loadConfig();
export default new DataSource(dataSourceOptions({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
