import { runChecks } from './run-checks.js'
import { webkit } from './webkit.js'

runChecks(await webkit())
