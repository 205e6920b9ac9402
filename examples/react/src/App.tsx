import { useRef, useState, type CSSProperties } from 'react'
import 'chatzy-agent' // registers <chatzy-agent>
import type { ChatzyAgent } from 'chatzy-agent'
import type {} from 'chatzy-agent/react' // JSX typings: attributes and typed event props

const CHATBOT_ID = import.meta.env.VITE_CHATZY_CHATBOT_ID
const APP_URL = import.meta.env.VITE_CHATZY_APP_URL

type Mode = 'inline' | 'launcher'

/** `search`: the page's query (`?mode=launcher`); the server passes the request's. */
export function App({ search = location.search }: { search?: string }) {
  const agent = useRef<ChatzyAgent>(null)
  // ?mode=launcher starts with the floating button; the switch below changes it on the live element.
  const [mode, setMode] = useState<Mode>(() => new URLSearchParams(search).get('mode') === 'launcher' ? 'launcher' : 'inline')
  const [open, setOpen] = useState(false)
  const [status, setStatus] = useState('idle')
  const [log, setLog] = useState<string[]>([])
  const note = (line: string) => setLog((lines) => [...lines, line])

  return (
    <main>
      <h1>React</h1>
      <p>
        Status: <code id="status">{status}</code>{' '}
        <button type="button" onClick={() => agent.current?.nudge('Hi, do you need any help?')}>Nudge</button>{' '}
        <button type="button" onClick={() => void agent.current?.refresh()}>Refresh token</button>{' '}
        <button type="button" onClick={() => setMode(mode === 'inline' ? 'launcher' : 'inline')}>
          {mode === 'inline' ? 'Show as launcher' : 'Show inline'}
        </button>
      </p>
      <chatzy-agent
        ref={agent}
        chatbot-id={CHATBOT_ID}
        endpoint="/chatzy"
        app-url={APP_URL}
        mode={mode}
        position="bottom-right"
        open={open}
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
        // The panel opens and closes by itself too (its button, Escape, the next page): keep `open` in step.
        onchatzy-open={() => {
          setOpen(true)
          note('panel opened')
        }}
        onchatzy-close={() => {
          setOpen(false)
          note('panel closed')
        }}
      />
      <ol id="log">
        {log.map((line, index) => <li key={index}>{line}</li>)}
      </ol>
    </main>
  )
}
