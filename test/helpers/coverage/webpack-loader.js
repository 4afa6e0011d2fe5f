'use strict';
/** Instruments the project's TypeScript in the workflow bundle before swc compiles it (see instrumenter.js). */
const { covered, instrument } = require('./instrumenter');

module.exports = function instrumentForCoverage(source) {
  return covered(this.resourcePath) ? instrument(source, this.resourcePath) : source;
};
