/**
 * One Jest run covers every tier (unit, workflow, API, replay). A single Temporal dev
 * server and one workflow bundle are prepared in globalSetup and shared; each test file
 * uses its own task queue and workflow ids, so files never see each other's runs.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // src and worker are roots for coverage of files no test loads; tests live only in test/.
  roots: ['<rootDir>/test', '<rootDir>/src', '<rootDir>/worker'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // ts-jest; under --coverage the project's files are instrumented first, as the workflow
    // bundle's are, so both sides count into one report (test/helpers/coverage).
    '^.+\\.ts$': ['<rootDir>/test/helpers/coverage/jest-transform.js', { tsconfig: '<rootDir>/tsconfig.jest.json', diagnostics: false }],
  },
  // `npm test` runs with --coverage: every file of src/ and worker/, run or not, workflows included.
  // The two process entry points are left out: the process tests run them as real child
  // processes (worker-process, worker-crash, request-logs), whose counts this report cannot see.
  collectCoverageFrom: ['src/**/*.ts', 'worker/**/*.ts', '!**/*.d.ts', '!worker/main.ts', '!src/api/main.ts'],
  coverageReporters: ['text-summary', ['text', { skipFull: true }], 'json-summary', 'lcov'],
  coverageDirectory: '<rootDir>/coverage',
  // The floor: raise it when coverage rises, never lower it (workflows count; see docs/architecture.md).
  coverageThreshold: { global: { lines: 95, branches: 87, statements: 93, functions: 95 } },
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.js'],
};
