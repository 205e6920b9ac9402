import { test } from 'node:test'
import { runChecks } from './run-checks.js'
import { webkit } from './webkit.js'

// WebKitGTK's driver is Linux's; elsewhere this file says so rather than failing.
if (process.platform === 'linux') runChecks(await webkit())
else test('WebKitGTK runs on Linux only: on this machine, try Safari by hand or the Playwright webkit project', { skip: true })
