/**
 * Unit tests are pure; workflow tests use the time-skipping server; integration tests use real
 * services; reliability tests inject faults (killed processes, a stopped database, hostile input)
 * into the real services.
 */
const base = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  modulePathIgnorePatterns: ['<rootDir>/dist', '<rootDir>/.tools'],
};
module.exports = {
  testTimeout: 120000,
  // One worker process (the suites share a 2-core machine and local servers), replaced between
  // test files once it holds more than this: modules and native Temporal workers that 60-odd
  // suites leave behind otherwise add up to the heap limit within one process.
  workerIdleMemoryLimit: '1536MB',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...base, displayName: 'workflow', testMatch: ['<rootDir>/test/workflow/**/*.test.ts'] },
    { ...base, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
    { ...base, displayName: 'reliability', testMatch: ['<rootDir>/test/reliability/**/*.test.ts'] },
  ],
};
