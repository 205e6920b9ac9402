import { firefox } from './firefox.js'
import { runChecks } from './run-checks.js'

runChecks(await firefox())
