'use client'

import { useEffect, useRef, useState } from 'react'
import type { ChatzyAgent } from 'chatzy-agent'
import type {} from 'chatzy-agent/react' // JSX typings: attributes and typed event props

export function Agent({ chatbotId, appUrl }: { chatbotId: string; appUrl: string }) {
  const agent = useRef<ChatzyAgent>(null)
  const [status, setStatus] = useState('idle')
  const [log, setLog] = useState<string[]>([])
  const note = (line: string) => setLog((lines) => [...lines, line])

  // The element registers itself in the browser only: the server renders <chatzy-agent> as
  // markup, and it comes to life once this module has loaded.
  useEffect(() => {
    void import('chatzy-agent')
  }, [])

  return (
    <>
      <p>
        Status: <code id="status">{status}</code>{' '}
        <button type="button" onClick={() => agent.current?.nudge('Hi, do you need any help?')}>Nudge</button>
      </p>
      <chatzy-agent
        ref={agent}
        chatbot-id={chatbotId}
        endpoint="/chatzy"
        app-url={appUrl}
        loading="eager"
        onchatzy-ready={(event) => {
          setStatus('ready')
          note(`ready: signed in as ${event.userId}`)
        }}
        onchatzy-token-refreshed={(event) => note(`token refreshed (${event.reason})`)}
        onchatzy-error={(event) => {
          setStatus('error')
          note(`error: ${event.code}`)
        }}
      >
        <p slot="error">The assistant is unavailable right now.</p>
      </chatzy-agent>
      <ol id="log">
        {log.map((line, index) => <li key={index}>{line}</li>)}
      </ol>
    </>
  )
}
