import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * The app's own sign-in, as small as it gets: a cookie holding the user's name and an HMAC of
 * it, so that nobody can sign in as someone else by editing it. Your app has its own
 * (Auth.js, Clerk, iron-session, …): only `userFrom` matters to the agent.
 */
export const SIGN_IN_COOKIE = 'example_user'

const mac = (user: string) => {
  const secret = process.env.SESSION_SECRET
  if (secret === undefined) throw new Error('Set SESSION_SECRET (npm start sets one)')
  return createHmac('sha256', secret).update(user).digest('base64url')
}

/** The cookie's value for a signed-in user. */
export const signedValue = (user: string) => `${encodeURIComponent(user)}.${mac(user)}`

/** The signed-in user named by the cookie value, or null. */
export function userOfValue(value: string | undefined): string | null {
  const dot = value?.lastIndexOf('.') ?? -1
  if (value === undefined || dot < 1) return null
  const user = decodeURIComponent(value.slice(0, dot))
  const given = Buffer.from(value.slice(dot + 1))
  const expected = Buffer.from(mac(user))
  return given.length === expected.length && timingSafeEqual(given, expected) ? user : null
}

/** The signed-in user of a request, from its Cookie header, or null. */
export function userFrom(cookieHeader: string | null): string | null {
  for (const pair of cookieHeader?.split(';') ?? []) {
    const [name, value] = pair.trim().split('=', 2)
    if (name === SIGN_IN_COOKIE) return userOfValue(value)
  }
  return null
}
