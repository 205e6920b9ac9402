import { escape, layout } from './layout.js'

export interface HostPageModel {
  user: string | null
  users: readonly string[]
  chatbotId: string
  appUrl: string
  /** Where to go once signed in (a path of this site). */
  next?: string
}

/** The host site's own sign-in: what every demo page shows when nobody is signed in. */
export function signInPage({ users, next }: Pick<HostPageModel, 'users' | 'next'>): string {
  return layout({
    title: 'Sign in · chatzy-agent demo',
    user: null,
    main: `<h1>Sign in to the demo shop</h1>
<form method="post" action="/signin" class="card">
  <p>Pick a demo account (this is the host site's own sign-in, not Chatzy's).</p>
  ${next === undefined ? '' : `<input type="hidden" name="next" value="${escape(next)}">`}
  ${users.map((u) => `<button name="user" value="${escape(u)}">Sign in as ${escape(u)}</button>`).join(' ')}
</form>`,
  })
}

/** The demo host page: sign-in when nobody is signed in, else the inline agent with a live event log. */
export function hostPage({ user, users, chatbotId, appUrl, next }: HostPageModel): string {
  if (user === null) return signInPage({ users, next })
  return layout({
    title: 'Inline agent · chatzy-agent demo',
    user,
    section: '/',
    // One column on phones, the agent beside its controls from 800 px. Every box has its size
    // before the element is defined and whatever the log holds, so nothing moves as it loads.
    style: `
  .inline { display: grid; gap: 16px; }
  @media (min-width: 800px) { .inline { grid-template-columns: minmax(0, 1fr) 340px; } }
  chatzy-agent { --chatzy-agent-height: 520px; display: block; block-size: 520px; }
  .controls p { margin: 0 0 12px; }
  .controls button { margin: 0 4px 4px 0; }
  #log { font: 12px/1.4 ui-monospace, monospace; padding-left: 3em; margin: 0; block-size: 200px; overflow: auto; }
  fieldset { border: 1px solid #d0d4dc; border-radius: 8px; font-size: 13px; margin: 0 0 12px; }
  .status { padding: 1px 8px; border-radius: 999px; background: #eee; }
  .status[data-status=loading], .status[data-status=refreshing] { background: #fff3c4; }
  .status[data-status=ready] { background: #d6f5dd; }
  .status[data-status=error] { background: #ffd9d9; }`,
    main: `<h1>Inline agent</h1>
<div class="inline">
  <chatzy-agent chatbot-id="${escape(chatbotId)}" endpoint="/chatzy" app-url="${escape(appUrl)}" loading="eager" refresh-ahead="1"></chatzy-agent>
  <section class="card controls" aria-labelledby="try">
    <h2 id="try">Try it</h2>
    <p>Status: <code id="status" class="status">idle</code></p>
    <p>
      <button id="nudge">Nudge</button>
      <button id="refresh">Refresh token</button>
      <button id="reload">Reload agent</button>
      <button id="agent-signout">Sign out of the agent</button>
    </p>
    <fieldset>
      <legend>Try the states</legend>
      <label><input type="checkbox" id="slow"> Slow network (2 s per token request): see <code>loading</code> and <code>refreshing</code></label><br>
      <label><input type="checkbox" id="offline"> Token requests fail: see <code>error</code>, then clear it and press Retry</label>
    </fieldset>
    <p><a href="/embed">The agent alone</a>: the same element on a page of its own, nothing else.</p>
    <h2>Events</h2>
    <ol id="log"></ol>
  </section>
</div>`,
    end: `<script>
  // Demo only: slows down or breaks this page's requests to the plugin, to show the
  // element's loading, refreshing and error states. The element itself is untouched.
  const realFetch = window.fetch.bind(window)
  window.fetch = async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input.url, location.href)
    if (url.pathname.startsWith('/chatzy/')) {
      if (document.getElementById('slow').checked) await new Promise((resolve) => setTimeout(resolve, 2000))
      if (document.getElementById('offline').checked) throw new TypeError('Failed to fetch (demo: token requests fail)')
    }
    return realFetch(input, init)
  }
</script>
<script type="module" src="/assets/chatzy-agent.js"></script>
<script type="module">
  const agent = document.querySelector('chatzy-agent')
  const log = document.getElementById('log')
  const status = document.getElementById('status')
  // Appended, then scrolled into view: lines already shown never move (no layout shift).
  const note = (text) => {
    const li = document.createElement('li')
    li.textContent = new Date().toISOString().slice(11, 19) + '  ' + text
    log.append(li)
    log.scrollTop = log.scrollHeight
  }
  const showStatus = () => {
    status.textContent = agent.getAttribute('status')
    status.dataset.status = agent.getAttribute('status')
  }
  new MutationObserver(() => { showStatus(); note('status: ' + agent.getAttribute('status')) })
    .observe(agent, { attributes: true, attributeFilter: ['status'] })
  showStatus()
  agent.addEventListener('chatzy-ready', (e) => note('ready: user ' + e.userId + ', token expires ' + new Date(e.expiresAt).toISOString().slice(11, 19)))
  agent.addEventListener('chatzy-token-refreshed', (e) => note('token refreshed (' + e.reason + '), expires ' + new Date(e.expiresAt).toISOString().slice(11, 19)))
  agent.addEventListener('chatzy-error', (e) => note('error: ' + e.code + (e.retryable ? ' (retryable)' : '')))
  agent.addEventListener('chatzy-message', (e) => note('message: ' + e.message.type))
  document.getElementById('nudge').onclick = () => agent.nudge('Hi, do you need any help?')
  document.getElementById('refresh').onclick = () => agent.refresh()
  document.getElementById('reload').onclick = () => agent.reload()
  document.getElementById('agent-signout').onclick = () => agent.signOut()
</script>`,
  })
}

/**
 * The agent alone, as the smallest embedding looks: one script, one element, no demo UI
 * watching its states (only a landmark and a heading for assistive technology). Also what
 * `npm run bench` times the element's refresh round trip on.
 */
export function embedPage({ chatbotId, appUrl }: Pick<HostPageModel, 'chatbotId' | 'appUrl'>): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>chatzy-agent</title>
<style>
  body { margin: 0; }
  h1 { position: absolute; inline-size: 1px; block-size: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
  chatzy-agent { display: block; block-size: 100dvh; --chatzy-agent-height: 100dvh; }
</style>
<script type="module" src="/assets/chatzy-agent.js"></script>
</head>
<body>
<main>
<h1>Chatzy agent</h1>
<chatzy-agent chatbot-id="${escape(chatbotId)}" endpoint="/chatzy" app-url="${escape(appUrl)}" loading="eager"></chatzy-agent>
</main>
</body>
</html>`
}
