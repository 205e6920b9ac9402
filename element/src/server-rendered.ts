import type { SessionAnswer } from '../../contract/wire.js'

/** What a server-rendering page may put on the element: its first token, for no `/session` call on load. */
export interface ServerRendered {
  accessToken?: string
  userId?: string
  expiresAt?: number
  appUrl: string
  chatbotId: string
}

/**
 * The session a page rendered on the server gave the element, as `/session` would answer it,
 * or undefined when it gave none or an expired one (a page restored from cache): then the
 * element starts a session itself.
 */
export function serverRenderedSession({ accessToken, userId, expiresAt, appUrl, chatbotId }: ServerRendered): SessionAnswer | undefined {
  if (!accessToken || !userId || !expiresAt || expiresAt <= Date.now()) return undefined
  const query = new URLSearchParams({ user_id: userId, access_token: accessToken })
  const iframe_url = `${appUrl.replace(/\/+$/, '')}/chatbot-iframe/${encodeURIComponent(chatbotId)}?${query}`
  return { user_id: userId, chatbot_id: chatbotId, access_token: accessToken, expires_at: expiresAt, iframe_url }
}
