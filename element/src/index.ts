import { defineChatzyAgent } from './define.js'

export { ChatzyAgent, type ChatzyAgentStatus } from './chatzy-agent.js'
export * from './events.js'
export type { ChatzyAgentStrings } from './strings.js'
export { defineChatzyAgent } from './define.js'

defineChatzyAgent()
