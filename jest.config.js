/**
 * Tests are TypeScript compiled by SWC (TypeScript 7 has no JS compiler API for ts-jest).
 * Type-checking is `npm run typecheck` (tsc 7). `npm test` sets NODE_OPTIONS=--experimental-vm-modules:
 * gaxios and teeny-request load node-fetch by dynamic import(), which fails inside jest without it.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 30_000,
  // Heavy client libraries: two workers on the 2-core CI machine.
  maxWorkers: 2,
};
