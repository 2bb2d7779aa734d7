import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import boundaries from './scripts/lint/boundaries.mjs';

const KAFKA_PORT =
  'Kafka is reached through the client port of @lienthong/messaging (createKafkaClient, EventProducer, KafkaAdmin); only libs/messaging imports kafkajs.';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'var/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', Buffer: 'readonly', __dirname: 'readonly', require: 'readonly', module: 'writable', setTimeout: 'readonly', clearTimeout: 'readonly', fetch: 'readonly', AbortSignal: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      'no-console': 'off',
    },
  },
  // kafkajs lives behind the client port of libs/messaging; everything else uses createKafkaClient,
  // EventProducer, KafkaAdmin and the consumer base, so the Kafka client can be replaced in one place.
  {
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'kafkajs', message: KAFKA_PORT }],
          patterns: [{ group: ['kafkajs/*'], message: KAFKA_PORT }],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.name='require'][arguments.0.value=/^kafkajs($|\\/)/]",
          message: KAFKA_PORT,
        },
        { selector: 'ImportExpression[source.value=/^kafkajs($|\\/)/]', message: KAFKA_PORT },
      ],
    },
  },
  // apps import libraries only; libraries import lower layers only (scripts/lint/boundaries.mjs)
  {
    files: ['apps/**/*.ts', 'libs/**/*.ts', 'deploy/**/*.ts'],
    plugins: { lienthong: boundaries },
    rules: { 'lienthong/boundaries': 'error' },
  },
  {
    // the port's kafkajs implementation, and the local broker launcher (it probes the broker it starts
    // without the project's libraries)
    files: ['libs/messaging/**', 'deploy/local/kafka/**'],
    rules: { '@typescript-eslint/no-restricted-imports': 'off', 'no-restricted-syntax': 'off' },
  },
  {
    // the operations console's front-end runs in the browser
    files: ['apps/console/**/*.js'],
    languageOptions: {
      globals: { document: 'readonly', location: 'readonly', addEventListener: 'readonly', removeEventListener: 'readonly', URLSearchParams: 'readonly' },
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
);
