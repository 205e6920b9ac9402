import { agent } from '../../lib/agent'
import { SIGN_IN_COOKIE } from '../../lib/sign-in'

// Signing out of the app ends the user's Chatzy session too: endSession gives the Set-Cookie
// that clears the agent's cookie.
export async function POST(request: Request) {
  const headers = await agent.endSession(request)
  headers.set('location', '/')
  headers.append('set-cookie', `${SIGN_IN_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`)
  return new Response(null, { status: 303, headers })
}
