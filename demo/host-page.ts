const escape = (value: string) =>
  value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

export interface HostPageModel {
  user: string | null
  users: readonly string[]
  chatbotId: string
  appUrl: string
}

/** The demo host page: sign-in when nobody is signed in, else the agent with a live event log. */
export function hostPage({ user, users, chatbotId, appUrl }: HostPageModel): string {
  const body = user === null
    ? `<form method="post" action="/signin" class="card">
        <h2>Sign in to the demo shop</h2>
        <p>Pick a demo account (this is the host site's own sign-in, not Chatzy's).</p>
        ${users.map((u) => `<button name="user" value="${escape(u)}">Sign in as ${escape(u)}</button>`).join(' ')}
      </form>`
    : `<header class="card">
        <span>Signed in as <strong id="who">${escape(user)}</strong></span>
        <form method="post" action="/signout"><button>Sign out</button></form>
      </header>
      <main>
        <chatzy-agent chatbot-id="${escape(chatbotId)}" endpoint="/chatzy" app-url="${escape(appUrl)}" loading="eager" refresh-ahead="1"></chatzy-agent>
        <aside class="card">
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
          <h3>Events</h3>
          <ol id="log" reversed></ol>
        </aside>
      </main>
      <script>
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
        const note = (text) => {
          const li = document.createElement('li')
          li.textContent = new Date().toISOString().slice(11, 19) + '  ' + text
          log.prepend(li)
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
      </script>`
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>chatzy-agent demo</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 16px; color: #1b1b29; }
  .card { border: 1px solid #d0d4dc; border-radius: 12px; padding: 12px 16px; margin-bottom: 12px; }
  header.card { display: flex; justify-content: space-between; align-items: center; }
  main { display: grid; grid-template-columns: 1fr 340px; gap: 16px; }
  chatzy-agent { --chatzy-agent-height: 520px; }
  #log { font: 12px/1.4 ui-monospace, monospace; padding-left: 3em; max-height: 300px; overflow: auto; }
  fieldset { border: 1px solid #d0d4dc; border-radius: 8px; font-size: 13px; }
  .status { padding: 1px 8px; border-radius: 999px; background: #eee; }
  .status[data-status=loading], .status[data-status=refreshing] { background: #fff3c4; }
  .status[data-status=ready] { background: #d6f5dd; }
  .status[data-status=error] { background: #ffd9d9; }
</style>
</head>
<body>
<h1>chatzy-agent demo</h1>
${body}
</body>
</html>`
}

/**
 * The agent alone, as the smallest embedding looks: one script, one element, no demo UI
 * watching its states. Also what `npm run bench` times the element's refresh round trip on.
 */
export function embedPage({ chatbotId, appUrl }: Pick<HostPageModel, 'chatbotId' | 'appUrl'>): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>chatzy-agent</title>
<script type="module" src="/assets/chatzy-agent.js"></script>
</head>
<body>
<chatzy-agent chatbot-id="${escape(chatbotId)}" endpoint="/chatzy" app-url="${escape(appUrl)}" loading="eager"></chatzy-agent>
</body>
</html>`
}
