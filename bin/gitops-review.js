#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm install` (the `prepare` script).
import("../dist/src/cli/main.js").then((cli) => cli.main(process.argv.slice(2)));
