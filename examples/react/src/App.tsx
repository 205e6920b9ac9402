import { useRef, useState, type CSSProperties } from 'react'
import 'chatzy-agent' // registers <chatzy-agent>
import type { ChatzyAgent } from 'chatzy-agent'
import type {} from 'chatzy-agent/react' // JSX typings: attributes and typed event props

const CHATBOT_ID = import.meta.env.VITE_CHATZY_CHATBOT_ID
const APP_URL = import.meta.env.VITE_CHATZY_APP_URL

export function App() {
  const agent = useRef<ChatzyAgent>(null)
  const [status, setStatus] = useState('idle')
  const [log, setLog] = useState<string[]>([])
  const note = (line: string) => setLog((lines) => [...lines, line])

  return (
    <main>
      <h1>React</h1>
      <p>
        Status: <code id="status">{status}</code>{' '}
        <button type="button" onClick={() => agent.current?.nudge('Hi, do you need any help?')}>Nudge</button>{' '}
        <button type="button" onClick={() => void agent.current?.refresh()}>Refresh token</button>
      </p>
      <chatzy-agent
        ref={agent}
        chatbot-id={CHATBOT_ID}
        endpoint="/chatzy"
        app-url={APP_URL}
        loading="eager"
        style={{ '--chatzy-agent-height': '420px' } as CSSProperties}
        onchatzy-ready={(event) => {
          setStatus('ready')
          note(`ready: signed in as ${event.userId}`)
        }}
        onchatzy-token-refreshed={(event) => note(`token refreshed (${event.reason})`)}
        onchatzy-error={(event) => {
          setStatus('error')
          note(`error: ${event.code}${event.retryable ? ' (retryable)' : ''}`)
        }}
      />
      <ol id="log">
        {log.map((line, index) => <li key={index}>{line}</li>)}
      </ol>
    </main>
  )
}
