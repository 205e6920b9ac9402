import type { RefreshAnswer, SessionAnswer } from '../../../contract/wire.js'
import type { Exchange } from '../exchange.js'

/** The session flows as the core's routes call them: over an exchange, whatever the server. */
export interface CoreFlows {
  start(exchange: Exchange, chatbotId?: string): Promise<SessionAnswer>
  refresh(exchange: Exchange, callerExpiresAt?: number): RefreshAnswer | Promise<RefreshAnswer>
  end(exchange: Exchange): Promise<void>
}
