// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

const edgePackages = ['@nestjs/*', '@prisma/*', 'ioredis', 'bullmq', 'pg', 'ws', 'pino', 'prom-client', 'node:fs', 'node:net', 'node:child_process', 'fs', 'net', 'child_process'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '**/generated/**', '.fleetban/**', 'bench/data/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { fetch: 'readonly', process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', URL: 'readonly', __dirname: 'readonly', require: 'readonly', module: 'writable' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/ban-ts-comment': 'error',
    },
  },
  {
    // Tests read JSON answers field by field; typing every response shape would only restate the assertions.
    files: ['**/*.test.ts', '**/*.spec.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['bin/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { exports: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The core stays pure: parsing, policy and address helpers are plain functions over plain data.
    files: ['libs/asterisk-log/src/**/*.ts', 'libs/policy/src/**/*.ts', 'libs/ip/src/**/*.ts', 'libs/protocol/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: edgePackages, message: 'libs/asterisk-log, policy, ip and protocol are pure: no I/O, no framework. Put I/O in an app or in an adapter lib.' }] }],
    },
  },
);
