/**
 * @module config
 * The environment (and optional JSON file) validated once into a typed config object.
 */
export * from './config';
export * from './api-keys';
