import type { SessionFlows } from '../session.js'

/** The session flows as the core's routes call them: over an exchange, whatever the server. */
export type CoreFlows = Pick<SessionFlows, 'start' | 'refresh' | 'end'>
