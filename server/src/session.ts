import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RefreshAnswer, SessionAnswer } from '../../contract/wire.js'
import type { Broker } from './broker.js'
import type { SessionCookie } from './cookie.js'
import { newSessionId } from './cookie.js'
import { readNowOf } from './in-process-store.js'
import type { VerifiedCookie } from './verified-cookies.js'
import type { SessionStore, StoredSession } from './store.js'
import { ChatbotNotAllowed, NoSession, Unauthenticated, UpstreamRefused } from './errors.js'
import { chatzyLog } from './log.js'
import { publish, type SessionEndedMessage } from './diagnostics.js'

export interface SessionFlowOptions {
  identify: (request: FastifyRequest) => string | null | undefined | Promise<string | null | undefined>
  chatbots: readonly string[]
  appUrl: string
  store: SessionStore
  broker: Broker
  cookie: SessionCookie
}

/** A refresh on its way through `settle`, with what the hot path already did for it. */
interface Refreshing {
  presented: VerifiedCookie
  /** The session as read, or its read under way. */
  stored: StoredSession | undefined | Promise<StoredSession | undefined>
  /** `identify`'s answer for this request: it is asked once, whichever path asks. */
  identified: () => ReturnType<SessionFlowOptions['identify']>
  callerExpiresAt: number | undefined
}

/**
 * The three things a browser can do with its Chatzy session: start it, refresh its access
 * token, end it. The user is always `identify(request)`, never anything the browser says.
 */
export function sessionFlows(options: SessionFlowOptions) {
  const { store, broker, cookie } = options
  const readNow = readNowOf(store)
  const appBase = options.appUrl.replace(/\/+$/, '')

  async function identify(request: FastifyRequest): Promise<string | undefined> {
    return signedIn(await options.identify(request))
  }

  function answer(session: StoredSession): RefreshAnswer {
    return { access_token: session.access_token, expires_at: session.access_expires_at }
  }

  function iframeUrl(session: StoredSession): string {
    const query = new URLSearchParams({ user_id: session.user_id, access_token: session.access_token })
    return `${appBase}/chatbot-iframe/${encodeURIComponent(session.chatbot_id)}?${query}`
  }

  /** (Re)sets the cookie: signed with the newest secret, and dying with the refresh token. */
  function keepCookie(request: FastifyRequest, reply: FastifyReply, id: string, session: StoredSession) {
    cookie.write(request, reply, id, (session.refresh_expires_at - Date.now()) / 1000)
  }

  /** Deletes a session that must not serve anyone any more, and its cookie. */
  async function drop(request: FastifyRequest, reply: FastifyReply, id: string, session: StoredSession, reason: SessionEndedMessage['reason'], why: string): Promise<never> {
    chatzyLog(request).info(`chatzy: session ended (${why})`)
    await store.delete(id)
    publish.ended(() => ({ reason, chatbotId: session.chatbot_id, userId: session.user_id }))
    cookie.clear(request, reply)
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

  /** The rest of a refresh, for whatever the hot path could not answer at once. */
  async function settle(request: FastifyRequest, reply: FastifyReply, refreshing: Refreshing): Promise<RefreshAnswer> {
    const { presented, stored, identified, callerExpiresAt } = refreshing
    const { id } = presented
    const session = await stored
    if (session === undefined) {
      request.log.debug('chatzy: session cookie names no live session (expired or ended)')
      cookie.clear(request, reply)
      throw new NoSession()
    }
    if (signedIn(await identified()) !== session.user_id) {
      // The host user signed out or changed: this session must not serve anyone any more.
      return drop(request, reply, id, session, 'user-changed', 'the signed-in user changed')
    }
    let next: StoredSession
    try {
      next = await broker.refresh(id, session, callerExpiresAt, () => chatzyLog(request))
    } catch (error) {
      // Chatzy refused both the refresh token and a fresh mint for this user.
      if (error instanceof UpstreamRefused) return drop(request, reply, id, session, 'refused', error.message)
      throw error
    }
    if (presented.renew || next.refresh_expires_at !== session.refresh_expires_at) keepCookie(request, reply, id, next)
    return answer(next)
  }

  return {
    async start(request: FastifyRequest, reply: FastifyReply, chatbotId?: string): Promise<SessionAnswer> {
      const user = await identify(request)
      if (user === undefined) throw new Unauthenticated()
      const chatbot = chatbotId ?? options.chatbots[0]!
      if (!options.chatbots.includes(chatbot)) throw new ChatbotNotAllowed()

      const presented = cookie.read(request)
      let id = presented?.id
      const existing = id === undefined ? undefined : await store.get(id)
      let session: StoredSession
      if (id !== undefined && existing?.user_id === user && existing.chatbot_id === chatbot) {
        // A reload of the page: hand out the stored token when it is still fresh.
        session = await broker.refresh(id, existing, 0, () => chatzyLog(request))
      } else {
        // Never adopt an id the browser brought for someone else (or for nothing): a new one.
        if (id !== undefined && existing !== undefined) await store.delete(id)
        id = newSessionId()
        session = await broker.mint(user, chatbot)
        await broker.save(id, session)
        publish.created(() => ({ chatbotId: chatbot, userId: user }))
      }
      keepCookie(request, reply, id, session)
      return {
        user_id: session.user_id,
        chatbot_id: session.chatbot_id,
        access_token: session.access_token,
        expires_at: session.access_expires_at,
        iframe_url: iframeUrl(session),
      }
    },

    /**
     * A usable access token for the session of the request's cookie. The common case (a tab
     * asking again while the stored token is still good) is answered in the same turn, without
     * a single await, when the store is in this process's memory and `identify` answers at once.
     */
    refresh(request: FastifyRequest, reply: FastifyReply, callerExpiresAt?: number): RefreshAnswer | Promise<RefreshAnswer> {
      const presented = cookie.read(request)
      if (presented === undefined) throw new NoSession()
      const identified = () => options.identify(request)
      if (readNow === undefined) {
        return settle(request, reply, { presented, stored: store.get(presented.id), identified, callerExpiresAt })
      }
      const session = readNow(presented.id)
      if (session === undefined) return settle(request, reply, { presented, stored: undefined, identified, callerExpiresAt })
      const user = options.identify(request)
      if (answersAsStored(presented, session, user, callerExpiresAt)) {
        publish.reused(() => ({ chatbotId: session.chatbot_id, userId: session.user_id }))
        return answer(session)
      }
      return settle(request, reply, { presented, stored: session, identified: () => user, callerExpiresAt })
    },

    async end(request: FastifyRequest, reply: FastifyReply): Promise<void> {
      const presented = cookie.read(request)
      if (presented !== undefined) {
        await store.delete(presented.id)
        publish.ended(() => ({ reason: 'sign-out' }))
      }
      cookie.clear(request, reply)
    },
  }
}

export type SessionFlows = ReturnType<typeof sessionFlows>

/** Who `identify` says is signed in: a non-empty string, or nobody. */
function signedIn(user: unknown): string | undefined {
  return typeof user === 'string' && user !== '' ? user : undefined
}
