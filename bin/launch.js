'use strict';
// Shared by the three bins: run an app's compiled entry point, or explain how to build it.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

exports.launch = function launch(app) {
  const entry = join(__dirname, '..', 'dist', 'apps', app, 'apps', app, 'src', 'main.js');
  if (!existsSync(entry)) {
    process.stderr.write(`fleetban: ${app} is not built (${entry} is missing). Run \`npm ci\` or \`npm run build\` in ${join(__dirname, '..')}.\n`);
    process.exit(2);
  }
  require(entry);
};
