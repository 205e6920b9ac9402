// @ts-check
import js from '@eslint/js'
import { defineConfig, globalIgnores } from 'eslint/config'
import tseslint from 'typescript-eslint'
import { configs as lit } from 'eslint-plugin-lit'
import { configs as wc } from 'eslint-plugin-wc'

// The Fastify plugin's own files: the only ones of the server that may load Fastify.
const FASTIFY_PLUGIN_FILES = ['server/src/index.ts', 'server/src/plugin.ts', 'server/src/routes.ts', 'server/src/fastify-exchange.ts', 'server/src/log.ts', 'server/src/options.ts']

export default defineConfig([
  globalIgnores([
    '**/node_modules/',
    '**/dist/',
    'test-results/',
    'playwright-report/',
    'custom-elements.json',
    // What `next build` writes: its output and its generated type references.
    'examples/nextjs/.next/',
    'examples/nextjs/next-env.d.ts',
  ]),
  {
    files: ['**/*.{js,mjs,ts,tsx}'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      // TypeScript already checks every name (browser and Node globals alike).
      'no-undef': 'off',
      // `_`-prefixed names are deliberately unused (callback positions, destructuring).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    // The element: Lit templates and custom-element rules.
    files: ['element/src/**/*.ts'],
    extends: [lit['flat/recommended'], wc['flat/recommended']],
    settings: {
      wc: { elementBaseClasses: ['LitElement', 'ReactiveElement'] },
      lit: { elementBaseClasses: ['LitElement', 'ReactiveElement'] },
    },
    rules: {
      // No HTML strings reach the DOM: on a page that enforces Trusted Types with no policy each
      // of these throws, and the element must work there (build nodes with element/src/dom.ts).
      'no-restricted-syntax': ['error',
        {
          selector: 'MemberExpression[property.name=/^(innerHTML|outerHTML|insertAdjacentHTML|srcdoc|setHTMLUnsafe|parseHTMLUnsafe|createContextualFragment|write|writeln)$/]',
          message: 'An HTML sink (blocked under Trusted Types): build the DOM with h() from dom.ts instead.',
        },
        {
          selector: 'NewExpression[callee.name="DOMParser"]',
          message: 'Parsing HTML strings is an HTML sink (blocked under Trusted Types): build the DOM with h() from dom.ts instead.',
        },
      ],
    },
  },
  {
    // Everything of the server but the Fastify plugin's own files runs without Fastify: the
    // core, the stores, the Chatzy client, the fetch and node adapters.
    files: ['server/src/**/*.ts'],
    ignores: FASTIFY_PLUGIN_FILES,
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { group: ['fastify', 'fastify/*', 'fastify-plugin', '@fastify/*'], message: 'The core and its adapters load no Fastify: it lives in the plugin (server/src/plugin.ts and its routes) only.' },
        ],
      }],
    },
  },
  {
    // What the fetch adapter loads runs in workerd, Bun and Deno: only the Node modules they all
    // have (ESM imports of node:crypto and node:diagnostics_channel; Workers need nodejs_compat),
    // and no undici (the Node adapters hand the core their undici transport).
    files: ['server/src/**/*.ts'],
    ignores: [...FASTIFY_PLUGIN_FILES, 'server/src/node/**', 'server/src/upstream-http.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['node:*', '!node:diagnostics_channel', '!node:crypto'], message: 'The fetch path runs where node:* is partial (Workers): use the platform (Web Crypto, fetch, TextEncoder).' }],
      }],
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { group: ['fastify', 'fastify/*', 'fastify-plugin', '@fastify/*'], message: 'The core and its adapters load no Fastify: it lives in the plugin (server/src/plugin.ts and its routes) only.' },
          { group: ['undici'], message: 'The fetch path calls Chatzy with the global fetch (the node adapter hands the core its undici transport).', allowTypeImports: true },
        ],
      }],
    },
  },
  {
    // Playwright fixtures that use no other fixture are written `async ({}, use) => …`.
    files: ['e2e/**/*.ts'],
    rules: { 'no-empty-pattern': 'off' },
  },
  {
    // Type declarations augment other modules' namespaces and interfaces on purpose.
    files: ['types/**/*.d.ts'],
    rules: {
      '@typescript-eslint/no-namespace': 'off',
      '@typescript-eslint/no-empty-object-type': 'off',
    },
  },
])
