#!/usr/bin/env node
// Entry point of action.yml: the Action is compiled to dist/ by the `npm ci` step before it.
import("../dist/src/action/main.js").then((action) => action.main());
