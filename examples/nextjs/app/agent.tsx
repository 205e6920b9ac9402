'use client'

import { useEffect, useRef, useState } from 'react'
import type { ChatzyAgent } from 'chatzy-agent'
import type {} from 'chatzy-agent/react' // JSX typings for <chatzy-agent>

export function Agent({ chatbotId, appUrl }: { chatbotId: string; appUrl: string }) {
  const agent = useRef<ChatzyAgent>(null)
  const [status, setStatus] = useState('idle')
  const [log, setLog] = useState<string[]>([])

  useEffect(() => {
    const element = agent.current!
    const note = (line: string) => setLog((lines) => [...lines, line])
    // Listeners added here rather than as onchatzy-* props: React 19 does not attach a custom
    // element's event props when it hydrates server-rendered markup (react#35446), only on a
    // later render, and the first chatzy-ready would go unheard.
    const controller = new AbortController()
    const { signal } = controller
    element.addEventListener('chatzy-ready', (event) => {
      setStatus('ready')
      note(`ready: signed in as ${event.userId}`)
    }, { signal })
    element.addEventListener('chatzy-token-refreshed', (event) => note(`token refreshed (${event.reason})`), { signal })
    element.addEventListener('chatzy-error', (event) => {
      setStatus('error')
      note(`error: ${event.code}`)
    }, { signal })
    // The element registers itself in the browser only: the server renders <chatzy-agent> as
    // markup, and it comes to life once this module has loaded.
    void import('chatzy-agent')
    return () => controller.abort()
  }, [])

  return (
    <>
      <p>
        Status: <code id="status">{status}</code>{' '}
        <button type="button" onClick={() => agent.current?.nudge('Hi, do you need any help?')}>Nudge</button>
      </p>
      <chatzy-agent ref={agent} chatbot-id={chatbotId} endpoint="/chatzy" app-url={appUrl} loading="eager">
        <p slot="error">The assistant is unavailable right now.</p>
      </chatzy-agent>
      <ol id="log">
        {log.map((line, index) => <li key={index}>{line}</li>)}
      </ol>
    </>
  )
}
