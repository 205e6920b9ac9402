import type { ChatzyLogger } from './exchange.js'
import type { ChatzyClient } from './chatzy-client.js'
import type { SessionStore, StoredSession } from './store.js'
import type { UserLimits } from './limits.js'
import { NoSession, UpstreamRefused } from './errors.js'
import { rateLimited } from './retry-after.js'
import { publish } from './diagnostics.js'

/** Longest a refresh waits for its session's floor to pass before it is answered 429 instead. */
const MAX_FLOOR_WAIT_MS = 10_000

export interface BrokerOptions {
  client: ChatzyClient
  store: SessionStore
  /** Per-user limits: mints per window, live sessions. */
  limits: UserLimits
  /** A stored token with less life left than this is not handed out again. */
  refreshMarginMs: number
  /** Floor between two upstream calls for one session, whatever clients ask. */
  minRefreshIntervalMs: number
  /** Longest an upstream refresh may hold a shared store's lock (then another instance takes over). */
  lockTtlMs?: number
}

/** The caller's logger, built only when there is something to log (building one has a cost). */
export type LogFor = () => ChatzyLogger

/** What one single-flight refresh brought back, and whether it took an upstream call. */
interface Flight {
  session: StoredSession
  upstream: boolean
}

/**
 * Mints and refreshes Chatzy tokens for sessions. One upstream refresh per session at a time
 * (single-flight): concurrent callers share the same promise and the same answer.
 */
export function createBroker(options: BrokerOptions) {
  const { client, store } = options
  const inflight = new Map<string, Promise<Flight>>()

  /** The one place a user's session is minted, past the user's `mintLimit` for the chatbot (else "rate-limited"). */
  async function mint(user_id: string, chatbot_id: string): Promise<StoredSession> {
    await options.limits.admitMint(user_id, chatbot_id)
    const data = await client.mint({ user_id, chatbot_id })
    return {
      user_id,
      chatbot_id,
      access_token: data.access_token,
      access_expires_at: data.access_token_expires_at,
      refresh_token: data.refresh_token,
      refresh_expires_at: data.refresh_token_expires_at,
      upstream_at: Date.now(),
    }
  }

  /** Is the session inside its floor: too soon after its last upstream call for another one? */
  function withinFloor(session: StoredSession, now: number): boolean {
    return now - session.upstream_at < options.minRefreshIntervalMs
  }

  /**
   * Can the stored access token be handed out instead of asking Chatzy? Inside the floor, yes
   * as long as it has not actually expired, whatever its lifetime and the margin: the floor is
   * a hard one. Past it, when it is fresh (outside the margin) and newer than the caller's, or
   * the caller did not say which it holds (an element that never had one, a server-rendered page).
   */
  function canReuse(session: StoredSession, callerExpiresAt: number | undefined, now: number): boolean {
    if (withinFloor(session, now)) return session.access_expires_at > now
    if (session.access_expires_at - now <= options.refreshMarginMs) return false
    return callerExpiresAt === undefined || session.access_expires_at > callerExpiresAt
  }

  /**
   * Waits out what is left of the session's floor. Reached only when the stored token has
   * expired inside it (Chatzy tokens that live less than `minRefreshIntervalMs`): the caller
   * waits rather than the floor giving way. Single-flight, so one timer per session.
   */
  async function floor(session: StoredSession): Promise<void> {
    const wait = session.upstream_at + options.minRefreshIntervalMs - Date.now()
    if (wait <= 0) return
    // A long floor is not held open on a request: the browser is told when to come back.
    if (wait > MAX_FLOOR_WAIT_MS) throw rateLimited(wait)
    await new Promise((resolve) => setTimeout(resolve, wait))
  }

  /**
   * Does the stored token answer a caller who read `copy` and holds a token expiring at
   * `callerExpiresAt`? Yes when it is reusable for that caller, or when it was renewed (here or
   * by another instance) since the caller read its copy and is fresh.
   */
  function satisfies(current: StoredSession, copy: StoredSession, callerExpiresAt: number | undefined): boolean {
    const now = Date.now()
    return canReuse(current, callerExpiresAt, now) ||
      (current.access_token !== copy.access_token && canReuse(current, copy.access_expires_at, now))
  }

  /** The one place a session goes upstream: "refreshed upstream", or "minted again" when refused. */
  async function renew(id: string, session: StoredSession, log: LogFor): Promise<StoredSession> {
    await floor(session)
    if (session.refresh_expires_at > Date.now()) {
      try {
        const data = await client.refresh({
          user_id: session.user_id,
          chatbot_id: session.chatbot_id,
          refresh_token: session.refresh_token,
        })
        const next = { ...session, access_token: data.access_token, access_expires_at: data.expires_at, upstream_at: Date.now() }
        await saveIfLive(id, next)
        // A refresh is a use: this session is not the least recently used one any more.
        await touch(id, next, log)
        publish.refreshed(() => ({ chatbotId: next.chatbot_id, userId: next.user_id, via: 'refresh' }))
        return next
      } catch (error) {
        if (!(error instanceof UpstreamRefused)) throw error
        log().info(`chatzy: ${error.message}`)
        // The refused call was an upstream call too: the mint that follows keeps the floor
        // from it, and so does any refresh that comes for this session in the meantime.
        session = { ...session, upstream_at: Date.now() }
        await saveIfLive(id, session)
        await floor(session)
      }
    }
    // The refresh token is gone or refused: mint again for the same, still identified, user.
    const next = await mint(session.user_id, session.chatbot_id)
    await saveIfLive(id, next)
    // Its new refresh token outlives the one the user's session index knows: tell it, or the
    // session would drop out of `sessionsPerUser` while it lives on.
    await index(id, next)
    publish.refreshed(() => ({ chatbotId: next.chatbot_id, userId: next.user_id, via: 'mint' }))
    return next
  }

  /** A session ended (signed out) while Chatzy was being asked stays ended: its new token is dropped. */
  async function saveIfLive(id: string, session: StoredSession): Promise<void> {
    const ttlMs = session.refresh_expires_at - Date.now()
    if (store.replace !== undefined) {
      // Only a definite "nothing there" ends it: a store that resolves nothing has still written.
      if ((await store.replace(id, session, ttlMs)) === false) throw new NoSession()
      return
    }
    // A store without `replace`: a sign-out between these two steps is undone (see SessionStore).
    if ((await store.get(id)) === undefined) throw new NoSession()
    await store.set(id, session, ttlMs)
  }

  /**
   * The session as stored now, checked again before going upstream: a caller's copy may be
   * stale (read before `identify` answered, say) while an earlier flight stored a newer token.
   * Signed out or expired meanwhile: the session must not be brought back by a refresh.
   */
  async function reread(id: string, user_id: string): Promise<StoredSession> {
    const current = await store.get(id)
    if (current === undefined || current.user_id !== user_id) throw new NoSession()
    return current
  }

  /**
   * One flight: the stored token when it now satisfies the caller, otherwise one upstream call.
   * With a store shared by several instances, one upstream refresh per session across all of
   * them: the lock holder refreshes, the others wait for the token it stores. The lock expires
   * by itself after `lockTtlMs`, so when its holder dies another instance takes it over. The
   * wait is bounded: should the lock stay taken past its TTL (taken again and again by others),
   * this instance refreshes anyway, which is safe because Chatzy does not rotate refresh tokens.
   */
  async function fly(id: string, session: StoredSession, callerExpiresAt: number | undefined, log: LogFor): Promise<Flight> {
    const settled = (current: StoredSession) => satisfies(current, session, callerExpiresAt)
    const latest = await reread(id, session.user_id)
    if (settled(latest)) return { session: latest, upstream: false }
    if (store.lock === undefined) return { session: await renew(id, latest, log), upstream: true }

    const lockTtlMs = options.lockTtlMs ?? 15_000
    const pollMaxMs = 250
    const deadline = Date.now() + lockTtlMs + pollMaxMs
    for (let attempt = 0; ; attempt++) {
      const release = await store.lock(id, lockTtlMs)
      if (release !== undefined) {
        try {
          // The previous holder may have stored a fresh token just before letting go.
          const current = await reread(id, session.user_id)
          if (settled(current)) return { session: current, upstream: false }
          return { session: await renew(id, current, log), upstream: true }
        } finally {
          await release().catch((error: unknown) => log().warn({ err: error }, 'chatzy: could not release a session lock'))
        }
      }
      if (Date.now() >= deadline) {
        log().warn('chatzy: session lock still taken past its TTL; refreshing without it')
        return { session: await renew(id, await reread(id, session.user_id), log), upstream: true }
      }
      // Jittered backoff, so that instances waiting on one session do not poll in step.
      await new Promise((resolve) => setTimeout(resolve, Math.min(pollMaxMs, 25 * 2 ** attempt) * (0.5 + Math.random() / 2)))
      const current = await reread(id, session.user_id)
      if (settled(current)) return { session: current, upstream: false }
    }
  }

  /** Joins the session's flight in the air, or starts one, until one brings this caller an answer. */
  async function board(id: string, session: StoredSession, callerExpiresAt: number | undefined, log: LogFor): Promise<StoredSession> {
    for (;;) {
      let flight = inflight.get(id)
      if (flight === undefined) {
        flight = fly(id, session, callerExpiresAt, log).finally(() => inflight.delete(id))
        inflight.set(id, flight)
      }
      const landed = await flight
      // A flight that went upstream answers everyone aboard. One that found the stored token
      // good enough for the caller who started it may not be for this one: fly again.
      if (landed.upstream) return landed.session
      if (satisfies(landed.session, session, callerExpiresAt)) return reused(landed.session)
      session = landed.session
    }
  }

  /** The stored token answers a caller, with no upstream call made for it. */
  function reused(session: StoredSession): StoredSession {
    publish.reused(() => ({ chatbotId: session.chatbot_id, userId: session.user_id }))
    return session
  }

  /** Stores a new session; the user's oldest sessions past `sessionsPerUser` end ("ended"). */
  async function save(id: string, session: StoredSession): Promise<void> {
    await store.set(id, session, session.refresh_expires_at - Date.now())
    await index(id, session)
  }

  /**
   * Records the session as its user's most recently used one for its chatbot, until its refresh
   * token expires; ends the user's least recently used sessions of that chatbot past the limit.
   */
  async function index(id: string, session: StoredSession): Promise<void> {
    const ended = await options.limits.addSession(session.user_id, session.chatbot_id, id, session.refresh_expires_at)
    const replaced = ended.filter((old) => old !== id)
    await Promise.all(replaced.map((old) => store.delete(old)))
    for (const _ of replaced) publish.ended(() => ({ reason: 'replaced', chatbotId: session.chatbot_id, userId: session.user_id }))
  }

  /**
   * Records a use of a live session (a page load, a refresh), so that `sessionsPerUser` ends the
   * least recently used one. Bookkeeping only: should the user's index be out of reach (its
   * Redis node down), the session still serves, and its next use records it.
   */
  async function touch(id: string, session: StoredSession, log: LogFor): Promise<void> {
    await index(id, session).catch((error: unknown) => log().warn({ err: error }, 'chatzy: could not record a session\'s use in its user\'s index'))
  }

  return {
    mint,
    save,
    touch,

    /** Can the stored token answer a caller holding one that expires at `callerExpiresAt`, with no upstream call? */
    reusable(session: StoredSession, callerExpiresAt: number | undefined): boolean {
      return canReuse(session, callerExpiresAt, Date.now())
    },

    /**
     * A usable access token for the session: the stored one when it is fresh enough, otherwise
     * one upstream refresh (re-mint when Chatzy refuses the refresh token), shared by all callers.
     */
    refresh(id: string, session: StoredSession, callerExpiresAt: number | undefined, log: LogFor): Promise<StoredSession> {
      if (canReuse(session, callerExpiresAt, Date.now())) return Promise.resolve(reused(session))
      return board(id, session, callerExpiresAt, log)
    },
  }
}

export type Broker = ReturnType<typeof createBroker>
