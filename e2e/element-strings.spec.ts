import { test, expect, agent, mountAgent, signInQuietly } from './fixtures.js'
import { call, closeButton, mountLauncher, teaser } from './launcher-helpers.js'

const page401 = { status: 401, json: { statusCode: 401, code: 'CHATZY_UNAUTHENTICATED', error: 'Unauthorized', message: 'no user' } }

test('strings: partial overrides replace those texts, the rest stay English, and a change shows at once', async ({ page, demo }) => {
  await signInQuietly(page, demo)
  await page.route('**/chatzy/session', (route) => route.fulfill(page401))
  await mountAgent(page, demo, {
    after: `<script type="module">
      document.querySelector('chatzy-agent').strings = { unauthenticated: 'Bitte melden Sie sich an.', retry: 'Erneut versuchen' }
    </script>`,
  })
  await expect(agent(page)).toHaveAttribute('status', 'error')
  await expect(agent(page).getByRole('alert')).toContainText('Bitte melden Sie sich an.')
  await expect(agent(page).getByRole('button', { name: 'Erneut versuchen' })).toBeVisible()

  await agent(page).evaluate((el) => ((el as HTMLElement & { strings: object }).strings = { unauthenticated: 'Veuillez vous connecter.' }))
  await expect(agent(page).getByRole('alert')).toContainText('Veuillez vous connecter.')
  await expect(agent(page).getByRole('button', { name: 'Retry' })).toBeVisible()
})

test('strings: the launcher\'s own labels', async ({ page, demo }) => {
  await signInQuietly(page, demo)
  await mountLauncher(page, demo, { attributes: { title: 'Assistent' } })
  await agent(page).evaluate((el) => ((el as HTMLElement & { strings: object }).strings = { close: 'Schließen', dismiss: 'Ausblenden' }))
  await call(page, 'nudge', 'Hallo!')
  await expect(teaser(page).getByRole('button', { name: 'Ausblenden' })).toBeVisible()
  await call(page, 'show')
  await expect(closeButton(page)).toHaveAccessibleName('Schließen')
  await expect(page.getByRole('button', { name: 'Assistent' })).toBeVisible()
})

test('the default Retry shows only when a retry can help: not for a config error', async ({ page, demo }) => {
  await signInQuietly(page, demo)
  await mountAgent(page, demo, { attributes: { 'chatbot-id': '' } })
  await expect(agent(page)).toHaveAttribute('status', 'error')
  await expect(agent(page).getByRole('alert')).toContainText('not set up correctly')
  await expect(agent(page).getByRole('button', { name: 'Retry' })).toHaveCount(0)

  // A retryable one (503) does get it.
  await page.route('**/chatzy/session', (route) => route.fulfill({ status: 503, json: { statusCode: 503, code: 'CHATZY_UPSTREAM_UNAVAILABLE', error: 'Service Unavailable', message: 'down' } }))
  await agent(page).evaluate((el) => el.setAttribute('chatbot-id', 'x'))
  await expect(agent(page).getByRole('button', { name: 'Retry' })).toBeVisible({ timeout: 20_000 })
})
