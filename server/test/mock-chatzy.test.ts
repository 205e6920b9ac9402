import { test } from 'node:test'
import assert from 'node:assert/strict'
import { API_KEY, CHATBOT_ID, startChatzy } from './helpers.js'

// The mock must be as strict as the docs: exactly the documented bodies, nothing else.
test('the mock Chatzy accepts exactly the documented bodies and refuses others with 400', async (t) => {
  const chatzy = await startChatzy()
  t.after(() => chatzy.app.close())
  const post = (path: string, payload: unknown) => chatzy.app.inject({ method: 'POST', url: path, payload: payload as object })

  const minted = await post('/ai_agent/get_access_token', { user_id: 'user123', chatbot_id: CHATBOT_ID, client_api_key: API_KEY })
  assert.equal(minted.statusCode, 200)
  const data = minted.json().data
  assert.deepEqual(Object.keys(data).sort(), ['access_token', 'access_token_expires_at', 'refresh_token', 'refresh_token_expires_at'])

  const refreshed = await post('/ai_agent/refresh_token', { user_id: 'user123', chatbot_id: CHATBOT_ID, refresh_token: data.refresh_token })
  assert.equal(refreshed.statusCode, 200)
  assert.deepEqual(Object.keys(refreshed.json().data).sort(), ['access_token', 'expires_at'])

  for (const [path, body] of [
    ['/ai_agent/get_access_token', { user_id: 'user123', chatbot_id: CHATBOT_ID }],
    ['/ai_agent/get_access_token', { user_id: 'user123', chatbot_id: CHATBOT_ID, client_api_key: API_KEY, extra: 1 }],
    ['/ai_agent/get_access_token', { user_id: 'user123', chatbot_id: 'not-a-uuid', client_api_key: API_KEY }],
    ['/ai_agent/get_access_token', { user_id: 123, chatbot_id: CHATBOT_ID, client_api_key: API_KEY }],
    ['/ai_agent/refresh_token', { user_id: 'user123', chatbot_id: CHATBOT_ID }],
    ['/ai_agent/refresh_token', { user_id: 'user123', chatbot_id: CHATBOT_ID, refresh_token: data.refresh_token, client_api_key: API_KEY }],
  ] as const) {
    const response = await post(path, body)
    assert.equal(response.statusCode, 400, `${path} ${JSON.stringify(body)}`)
  }

  assert.equal((await post('/ai_agent/get_access_token', { user_id: 'u', chatbot_id: CHATBOT_ID, client_api_key: 'ak-wrong' })).statusCode, 401)
  assert.equal((await post('/ai_agent/refresh_token', { user_id: 'u', chatbot_id: CHATBOT_ID, refresh_token: 'rt_unknown' })).statusCode, 401)
  assert.equal((await post('/ai_agent/refresh_token', { user_id: 'someone-else', chatbot_id: CHATBOT_ID, refresh_token: data.refresh_token })).statusCode, 401)
})
