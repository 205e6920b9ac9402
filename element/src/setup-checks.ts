import { originOf } from './protocol.js'
import { SETUP } from './strings.js'
import { TokenError } from './token-client.js'

/*
 * The site's own setup mistakes that the browser can see for itself, each a `config` error
 * whose detail names the value at fault and its fix (SETUP). Never retryable: no retry mends
 * a setup, and each try of one that cannot work could cost a mint.
 */

/**
 * The server's chatbot id pattern (`ChatbotId` in server/src/schemas.ts). A server-rendered
 * token never went through the server's check of the id, and the id is a path segment of the
 * iframe URL that carries the token: `..` or `.` would move it off `/chatbot-iframe/`.
 */
const CHATBOT_ID = /^[A-Za-z0-9_-]{1,128}$/

/**
 * Throws the `config` error for a missing or malformed `chatbot-id`, or an `endpoint` or
 * `app-url` that is no http(s) URL (`data:`, `javascript:`…): before any request, so that no
 * mint is spent on a setup that cannot work.
 */
export function checkSetup(chatbotId: string, endpoint: string, appUrl: string): void {
  checkChatbotId(chatbotId)
  if (!originOf(endpoint, location.href)) refuse(SETUP.url('endpoint', endpoint))
  if (!originOf(appUrl)) refuse(SETUP.url('app-url', appUrl))
}

/** Throws the `config` error for a missing or malformed `chatbot-id` (the server's own check, in the browser). */
export function checkChatbotId(chatbotId: string): void {
  if (!CHATBOT_ID.test(chatbotId)) refuse(SETUP.chatbotId(chatbotId))
}

/**
 * Throws the `config` error for a server's iframe URL off app-url's origin: the element talks
 * to that exact origin only, so such an iframe could never have its token refreshed, and the
 * token in its URL would go to an origin the page never named.
 */
export function checkFrame(iframeUrl: string, appOrigin: string | undefined): void {
  const frameOrigin = originOf(iframeUrl)
  if (appOrigin === undefined || frameOrigin !== appOrigin) refuse(SETUP.frame(frameOrigin, appOrigin))
}

function refuse(detail: string): never {
  throw new TokenError('config', false, detail)
}
