import { readFileSync } from 'node:fs'

/** The mock Chatzy iframe: static HTML, read once. */
export const iframePage = readFileSync(new URL('./iframe.html', import.meta.url), 'utf8')
