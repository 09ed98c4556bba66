#!/usr/bin/env node

// The CLI is TypeScript compiled to dist/ by `npm run build` (run on install by `prepare`).
let main;
try {
  ({ main } = require('../dist/cli/main.js'));
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main')) {
    console.error('georoute: not built yet. Run `npm run build` (npm install does it for you).');
    process.exit(2);
  }
  throw err;
}
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`georoute: ${err && err.message ? err.message : err}`);
    process.exitCode = 1;
  },
);
