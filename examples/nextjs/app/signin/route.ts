import { SIGN_IN_COOKIE, signedValue } from '../../lib/sign-in'

// The app's own sign-in form posts here; your app has its own.
export async function POST(request: Request) {
  const user = String((await request.formData()).get('user') ?? '').trim().slice(0, 64)
  const headers = new Headers({ location: '/' })
  if (user !== '') {
    headers.append('set-cookie', `${SIGN_IN_COOKIE}=${signedValue(user)}; Path=/; HttpOnly; SameSite=Lax`)
  }
  return new Response(null, { status: 303, headers })
}
