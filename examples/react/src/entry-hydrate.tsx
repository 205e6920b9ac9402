import { StrictMode } from 'react'
import { hydrateRoot } from 'react-dom/client'
import { App } from './App.tsx'

// The server-rendered page (/ssr) is hydrated, not rendered again: React checks that the markup it
// finds, `<chatzy-agent>` included, is the markup it would have made.
hydrateRoot(
  document.getElementById('root')!,
  <StrictMode>
    <App />
  </StrictMode>,
)
