import type { RefreshAnswer, SessionAnswer } from '../../contract/wire.js'
import type { Broker } from './broker.js'
import type { SessionCookie } from './cookie.js'
import { newSessionId } from './cookie.js'
import type { Exchange, Identified } from './exchange.js'
import { readNowOf } from './in-process-store.js'
import type { VerifiedCookie } from './verified-cookies.js'
import type { SessionStore, StoredSession } from './store.js'
import { ChatbotNotAllowed, NoSession, Unauthenticated, UpstreamRefused } from './errors.js'
import { publish, type SessionEndedMessage } from './diagnostics.js'

export interface SessionFlowOptions {
  chatbots: readonly string[]
  appUrl: string
  store: SessionStore
  broker: Broker
  cookie: SessionCookie
}

/**
 * Where one chatbot's session of a browser lives in the store. The cookie names the browser
 * session; under it each chatbot has a record of its own, so that starting one never touches
 * another, and sealing binds each record to its own key.
 */
export function recordKey(cookieId: string, chatbot: string): string {
  return `${cookieId}:${chatbot}`
}

/** A refresh on its way through `settle`, with what the hot path already did for it. */
interface Refreshing {
  presented: VerifiedCookie
  key: string
  /** `identify`'s answer for this request: it is asked once, whichever path asks. */
  identified: Identified
  callerExpiresAt: number | undefined
}

/**
 * The three things a browser can do with its Chatzy sessions: start one (per chatbot), refresh
 * its access token, end it (or all of them). The user is always `identify`, never anything the
 * browser says; the chatbot is one of the allowed ones, the first when the browser names none.
 */
export function sessionFlows(options: SessionFlowOptions) {
  const { store, broker, cookie } = options
  const readNow = readNowOf(store)
  const appBase = options.appUrl.replace(/\/+$/, '')
  const allowed = new Set(options.chatbots)

  function chatbotOf(asked: string | undefined): string {
    const chatbot = asked ?? options.chatbots[0]!
    if (!allowed.has(chatbot)) throw new ChatbotNotAllowed()
    return chatbot
  }

  function answer(session: StoredSession): RefreshAnswer {
    return { access_token: session.access_token, expires_at: session.access_expires_at }
  }

  function iframeUrl(session: StoredSession): string {
    const query = new URLSearchParams({ user_id: session.user_id, access_token: session.access_token })
    return `${appBase}/chatbot-iframe/${encodeURIComponent(session.chatbot_id)}?${query}`
  }

  /** (Re)sets the cookie: signed with the newest secret, and dying with the refresh token. */
  function keepCookie(exchange: Exchange, id: string, session: StoredSession) {
    cookie.write(exchange, id, (session.refresh_expires_at - Date.now()) / 1000)
  }

  /** Every chatbot's record under one cookie id, in the order of the allowed list. */
  function readAll(id: string): Promise<(StoredSession | undefined)[]> {
    return Promise.all(options.chatbots.map((chatbot) => store.get(recordKey(id, chatbot))))
  }

  /** Ends every chatbot's session under a cookie id (the cookie itself is the caller's to clear). */
  async function endAll(id: string): Promise<void> {
    await Promise.all(options.chatbots.map((chatbot) => store.delete(recordKey(id, chatbot))))
  }

  /**
   * Ends a session that must not serve anyone any more. When the signed-in user changed, the
   * whole browser session goes (every chatbot's, and the cookie); when Chatzy refused one
   * chatbot's credentials, only that chatbot's.
   */
  async function drop(exchange: Exchange, presented: VerifiedCookie, session: StoredSession, reason: SessionEndedMessage['reason'], why: string): Promise<never> {
    exchange.log().info(`chatzy: session ended (${why})`)
    if (reason === 'user-changed') {
      await endAll(presented.id)
      cookie.clear(exchange)
    } else {
      await store.delete(recordKey(presented.id, session.chatbot_id))
    }
    publish.ended(() => ({ reason, chatbotId: session.chatbot_id, userId: session.user_id }))
    throw new NoSession()
  }

  /**
   * Whether `settle` would answer with the stored token and do nothing else: the same user, a
   * token the caller may have again, and no cookie to sign again. The hot path answers only
   * then, so this must stay in step with `settle`.
   */
  function answersAsStored(presented: VerifiedCookie, session: StoredSession, user: unknown, callerExpiresAt: number | undefined): boolean {
    return !presented.renew && user === session.user_id && broker.reusable(session, callerExpiresAt)
  }

  /**
   * The rest of a refresh, for whatever the hot path could not answer at once. The record is
   * read after `identify` has answered (again, when the hot path read it before), so that a
   * sign-out landing meanwhile is seen: its token is never handed out.
   */
  async function settle(exchange: Exchange, refreshing: Refreshing): Promise<RefreshAnswer> {
    const { presented, key, identified, callerExpiresAt } = refreshing
    const user = signedIn(await identified)
    const session = readNow === undefined ? await store.get(key) : readNow(key)
    if (session === undefined) {
      exchange.debug('chatzy: session cookie names no live session for this chatbot (expired or ended)')
      throw new NoSession()
    }
    if (user !== session.user_id) {
      // The host user signed out or changed: this browser session must not serve anyone any more.
      return drop(exchange, presented, session, 'user-changed', 'the signed-in user changed')
    }
    let next: StoredSession
    try {
      next = await broker.refresh(key, session, callerExpiresAt, () => exchange.log())
    } catch (error) {
      // Chatzy refused both the refresh token and a fresh mint for this user.
      if (error instanceof UpstreamRefused) return drop(exchange, presented, session, 'refused', error.message)
      throw error
    }
    if (presented.renew || next.refresh_expires_at !== session.refresh_expires_at) keepCookie(exchange, presented.id, next)
    return answer(next)
  }

  /**
   * The cookie id a new session of `user` goes under: the browser's own when every record under
   * it is this user's (another chatbot's session lives on beside the new one), a new id when it
   * brought none, or one that serves someone else (never adopted: those sessions end).
   */
  async function browserSessionFor(user: string, presented: VerifiedCookie | undefined): Promise<string> {
    if (presented === undefined) return newSessionId()
    const records = await readAll(presented.id)
    if (records.every((record) => record === undefined || record.user_id === user)) return presented.id
    await endAll(presented.id)
    return newSessionId()
  }

  /**
   * A reload of the page: the stored token when it is still fresh, else a refreshed one; or
   * undefined when the session ended meanwhile (a sign-out in another tab), and a new one starts.
   */
  async function resume(exchange: Exchange, key: string, existing: StoredSession): Promise<StoredSession | undefined> {
    try {
      const session = await broker.refresh(key, existing, 0, () => exchange.log())
      // A page load is a use: the user's least recently used session is the one `sessionsPerUser` ends.
      await broker.touch(key, session, () => exchange.log())
      return session
    } catch (error) {
      if (error instanceof NoSession) return undefined
      throw error
    }
  }

  return {
    async start(exchange: Exchange, chatbotId?: string): Promise<SessionAnswer> {
      const user = signedIn(await exchange.identify())
      if (user === undefined) throw new Unauthenticated()
      const chatbot = chatbotOf(chatbotId)

      const presented = cookie.read(exchange)
      const existing = presented === undefined ? undefined : await store.get(recordKey(presented.id, chatbot))
      let resumed: StoredSession | undefined
      if (presented !== undefined && existing?.user_id === user) resumed = await resume(exchange, recordKey(presented.id, chatbot), existing)
      let id: string
      let session: StoredSession
      if (resumed !== undefined) {
        id = presented!.id
        session = resumed
      } else {
        id = await browserSessionFor(user, presented)
        session = await broker.mint(user, chatbot)
        await broker.save(recordKey(id, chatbot), session)
        publish.created(() => ({ chatbotId: chatbot, userId: user }))
      }
      keepCookie(exchange, id, session)
      return {
        user_id: session.user_id,
        chatbot_id: session.chatbot_id,
        access_token: session.access_token,
        expires_at: session.access_expires_at,
        iframe_url: iframeUrl(session),
      }
    },

    /**
     * A usable access token for the chatbot's session under the request's cookie. The common
     * case (a tab asking again while the stored token is still good) is answered in the same
     * turn, without a single await, when the store is in this process's memory and `identify`
     * answers at once.
     */
    refresh(exchange: Exchange, chatbotId?: string, callerExpiresAt?: number): RefreshAnswer | Promise<RefreshAnswer> {
      const chatbot = chatbotOf(chatbotId)
      const presented = cookie.read(exchange)
      if (presented === undefined) throw new NoSession()
      const key = recordKey(presented.id, chatbot)
      const identified = exchange.identify()
      const session = readNow?.(key)
      if (session !== undefined && !(identified instanceof Promise) && answersAsStored(presented, session, identified, callerExpiresAt)) {
        publish.reused(() => ({ chatbotId: session.chatbot_id, userId: session.user_id }))
        return answer(session)
      }
      return settle(exchange, { presented, key, identified, callerExpiresAt })
    },

    /** Ends the chatbot's session; with no chatbot, every session of the cookie, and the cookie. */
    async end(exchange: Exchange, chatbotId?: string): Promise<void> {
      const chatbot = chatbotId === undefined ? undefined : chatbotOf(chatbotId)
      const presented = cookie.read(exchange)
      if (presented !== undefined) {
        if (chatbot === undefined) await endAll(presented.id)
        else await store.delete(recordKey(presented.id, chatbot))
        publish.ended(() => ({ reason: 'sign-out', ...(chatbot && { chatbotId: chatbot }) }))
      }
      if (chatbot === undefined) cookie.clear(exchange)
    },
  }
}

export type SessionFlows = ReturnType<typeof sessionFlows>

/** Who `identify` says is signed in: a non-empty string, or nobody. */
function signedIn(user: unknown): string | undefined {
  return typeof user === 'string' && user !== '' ? user : undefined
}
