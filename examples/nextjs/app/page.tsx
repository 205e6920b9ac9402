import { cookies } from 'next/headers'
import { SIGN_IN_COOKIE, userOfValue } from '../lib/sign-in'
import { Agent } from './agent'

export default async function Home() {
  const user = userOfValue((await cookies()).get(SIGN_IN_COOKIE)?.value)
  if (user === null) {
    return (
      <main>
        <h1>Next.js</h1>
        <p>Sign in to talk to the assistant.</p>
        <form method="post" action="/signin">
          <label>Name <input name="user" defaultValue="ada" required maxLength={64} /></label>{' '}
          <button type="submit">Sign in</button>
        </form>
      </main>
    )
  }
  return (
    <main>
      <h1>Next.js</h1>
      <form method="post" action="/signout">
        Signed in as <strong id="who">{user}</strong> <button type="submit">Sign out</button>
      </form>
      <Agent
        chatbotId={process.env.CHATZY_CHATBOT_ID!}
        appUrl={process.env.CHATZY_APP_URL ?? 'https://app.chatzy.ai'}
      />
    </main>
  )
}
