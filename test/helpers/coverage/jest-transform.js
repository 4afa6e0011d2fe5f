'use strict';
/**
 * ts-jest, with the project's files instrumented for coverage before they are compiled
 * (see instrumenter.js). Jest is told the transformer instruments, so it does not instrument
 * the compiled output a second time.
 */
const { createTransformer } = require('ts-jest').default ?? require('ts-jest');
const { covered, instrument } = require('./instrumenter');

const SALT = 'switchboard-coverage-v1';

module.exports = {
  createTransformer(options) {
    const tsJest = createTransformer(options);
    const prepare = (source, filename, transformOptions) =>
      transformOptions.instrument && covered(filename) ? instrument(source, filename) : source;
    return {
      canInstrument: true,
      getCacheKey(source, filename, transformOptions) {
        return `${tsJest.getCacheKey(source, filename, transformOptions)}:${transformOptions.instrument ? SALT : 'plain'}`;
      },
      process(source, filename, transformOptions) {
        return tsJest.process(prepare(source, filename, transformOptions), filename, { ...transformOptions, instrument: false });
      },
      async processAsync(source, filename, transformOptions) {
        return tsJest.processAsync(prepare(source, filename, transformOptions), filename, { ...transformOptions, instrument: false });
      },
    };
  },
};
