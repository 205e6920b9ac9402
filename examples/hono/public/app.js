// Plain JavaScript: listen to the element's events and call its methods.
const agent = document.querySelector('chatzy-agent')
const log = document.getElementById('log')
const status = document.getElementById('status')

function note(text) {
  const item = document.createElement('li')
  item.textContent = text
  log.append(item)
}

agent.addEventListener('chatzy-ready', (event) => note(`ready: signed in as ${event.userId}`))
agent.addEventListener('chatzy-token-refreshed', (event) => note(`token refreshed (${event.reason})`))
agent.addEventListener('chatzy-error', (event) => note(`error: ${event.code}`))
new MutationObserver(() => { status.textContent = agent.status })
  .observe(agent, { attributes: true, attributeFilter: ['status'] })

document.getElementById('nudge').addEventListener('click', () => agent.nudge('Hi, do you need any help?'))
