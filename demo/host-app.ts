import { readFile } from 'node:fs/promises'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import fastifyCookie from '@fastify/cookie'
import chatzyAgent, { logRedactPaths, type SessionStore } from '../server/src/index.js'
import { embedPage, hostPage } from './host-page.js'
import { registerShop } from './shop.js'

export interface HostAppOptions {
  apiKey: string
  chatbotId: string
  /** A second chatbot of the site (support, say) that pages may embed beside the first. */
  supportChatbotId?: string
  /** Chatzy's API base; undefined means the real one. */
  apiUrl?: string
  /** Chatzy's iframe base; undefined means the real one. */
  appUrl?: string
  cookieSecret: string
  /** Seals refresh tokens in the store. */
  encryptionKey?: string
  store?: SessionStore
  logger?: FastifyServerOptions['logger']
  /** Element build to serve at /assets/chatzy-agent.js. */
  elementFile?: URL
  minRefreshIntervalMs?: number
}

/** The host's own toy accounts: the demo's "signed-in user" is just a signed cookie naming one. */
export const DEMO_USERS = ['alice', 'bob'] as const
const USER_COOKIE = 'demo_user'

/**
 * A host site as our users build them: its own sign-in, its own session, and the chatzy-agent
 * plugin registered once with `identify` reading the host's signed-in user.
 */
export async function buildHostApp(options: HostAppOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: withRedaction(options.logger ?? false), forceCloseConnections: true })
  await app.register(fastifyCookie, { secret: options.cookieSecret })

  function signedInUser(request: { cookies: Record<string, string | undefined>; unsignCookie(v: string): { valid: boolean; value: string | null } }) {
    const raw = request.cookies[USER_COOKIE]
    if (raw === undefined) return null
    const { valid, value } = request.unsignCookie(raw)
    return valid && value !== null && (DEMO_USERS as readonly string[]).includes(value) ? value : null
  }

  await app.register(chatzyAgent, {
    apiKey: options.apiKey,
    chatbotId: options.supportChatbotId === undefined ? options.chatbotId : [options.chatbotId, options.supportChatbotId],
    identify: (request) => signedInUser(request),
    ...(options.apiUrl === undefined ? {} : { apiUrl: options.apiUrl }),
    ...(options.appUrl === undefined ? {} : { appUrl: options.appUrl }),
    ...(options.store === undefined ? {} : { store: options.store }),
    cookie: { secret: options.cookieSecret },
    ...(options.encryptionKey === undefined ? {} : { encryptionKey: options.encryptionKey }),
    ...(options.minRefreshIntervalMs === undefined ? {} : { minRefreshIntervalMs: options.minRefreshIntervalMs }),
  })

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)))
  })

  const elementFile = options.elementFile ?? new URL('../dist/cdn/chatzy-agent.min.js', import.meta.url)
  app.get('/assets/chatzy-agent.js', async (_request, reply) => {
    const code = await readFile(elementFile).catch(() => undefined)
    if (code === undefined) return reply.code(404).type('text/plain').send('Build the element first: npm run build')
    return reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(code)
  })

  const appUrl = options.appUrl ?? 'https://app.chatzy.ai'
  const csp = `default-src 'self'; frame-src ${new URL(appUrl).origin}; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'`
  app.get<{ Querystring: { next?: string } }>('/', async (request, reply) => {
    const user = signedInUser(request)
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', csp)
      .send(hostPage({ user, users: DEMO_USERS, chatbotId: options.chatbotId, appUrl, next: localPath(request.query.next) }))
  })

  registerShop(app, { signedInUser, chatbotId: options.chatbotId, appUrl, csp })
  app.get('/favicon.ico', async (_request, reply) => reply.code(204).send())

  app.get('/embed', async (request, reply) => {
    if (signedInUser(request) === null) return reply.redirect('/', 303)
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', csp)
      .send(embedPage({ chatbotId: options.chatbotId, appUrl }))
  })

  app.post<{ Body: { user?: string; next?: string } }>('/signin', async (request, reply) => {
    const user = request.body?.user
    if (typeof user !== 'string' || !(DEMO_USERS as readonly string[]).includes(user)) return reply.code(400).send('Unknown demo user')
    reply.setCookie(USER_COOKIE, user, { signed: true, httpOnly: true, sameSite: 'lax', path: '/' })
    return reply.redirect(localPath(request.body?.next) ?? '/', 303)
  })

  app.post('/signout', async (request, reply) => {
    await app.chatzy.endSession(request, reply)
    reply.clearCookie(USER_COOKIE, { path: '/' })
    return reply.redirect('/', 303)
  })

  return app
}

/** Where to go after sign-in: a path of this site only (never another origin, as `//evil` would be). */
function localPath(next: unknown): string | undefined {
  return typeof next === 'string' && /^\/(?![/\\])[\w\-./]*$/.test(next) ? next : undefined
}

/** The host's own logger keeps the plugin's secrets (the session cookie above all) out of its lines. */
function withRedaction(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (logger === false || logger === undefined) return false
  const base = logger === true ? {} : logger
  return { ...base, redact: [...logRedactPaths] }
}
