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
        <chatzy-agent chatbot-id="${escape(chatbotId)}" endpoint="/chatzy" app-url="${escape(appUrl)}" loading="eager" refresh-ahead="5"></chatzy-agent>
        <aside class="card">
          <p>Status: <code id="status">idle</code></p>
          <p>
            <button id="nudge">Nudge</button>
            <button id="refresh">Refresh token</button>
            <button id="reload">Reload agent</button>
          </p>
          <h3>Events</h3>
          <ol id="log" reversed></ol>
        </aside>
      </main>
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
        new MutationObserver(() => { status.textContent = agent.getAttribute('status') })
          .observe(agent, { attributes: true, attributeFilter: ['status'] })
        agent.addEventListener('chatzy-ready', (e) => note('ready: user ' + e.userId + ', token expires ' + new Date(e.expiresAt).toISOString().slice(11, 19)))
        agent.addEventListener('chatzy-token-refreshed', (e) => note('token refreshed (' + e.reason + '), expires ' + new Date(e.expiresAt).toISOString().slice(11, 19)))
        agent.addEventListener('chatzy-error', (e) => note('error: ' + e.code + (e.retryable ? ' (retryable)' : '')))
        agent.addEventListener('chatzy-message', (e) => note('message: ' + e.message.type))
        document.getElementById('nudge').onclick = () => agent.nudge('Hi, do you need any help?')
        document.getElementById('refresh').onclick = () => agent.refresh()
        document.getElementById('reload').onclick = () => agent.reload()
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
  #log { font: 12px/1.4 ui-monospace, monospace; padding-left: 1.5em; max-height: 360px; overflow: auto; }
</style>
</head>
<body>
<h1>chatzy-agent demo</h1>
${body}
</body>
</html>`
}
