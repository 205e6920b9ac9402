import { StrictMode } from 'react'
import { renderToString } from 'react-dom/server'
import { App } from './App.tsx'

/** The app as the server renders it (/ssr): `<chatzy-agent>` is in the page's first HTML. */
export function render(url: string): string {
  return renderToString(
    <StrictMode>
      <App search={new URL(url, 'http://localhost').search} />
    </StrictMode>,
  )
}
