import { agent } from '../../../lib/agent'

// POST /chatzy/session, POST /chatzy/refresh and DELETE /chatzy/session, answered by the agent.
export const POST = agent.fetch
export const DELETE = agent.fetch
