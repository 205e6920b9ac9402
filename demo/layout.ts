export const escape = (value: string | number) =>
  String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** The demo's pages, as its navigation lists them. */
const SECTIONS = [
  { href: '/', label: 'Inline agent' },
  { href: '/shop', label: 'Shop with launcher' },
] as const

export interface LayoutModel {
  title: string
  /** The signed-in demo user, or null. */
  user: string | null
  /** Path of the navigation entry this page belongs to. */
  section?: (typeof SECTIONS)[number]['href']
  /** Page-specific styles. */
  style?: string
  /** The page's `<main>` content (its own `<h1>` first). */
  main: string
  /** After `<main>`: the launcher's landmark, scripts. */
  end?: string
}

/**
 * Every demo page: a banner with the navigation and the host's own sign-in state, one `<main>`,
 * headings in order, everything inside a landmark (what axe's region rules ask). The layout
 * is one column on phones and keeps every box's size from the first paint (no layout shift).
 */
export function layout({ title, user, section, style = '', main, end = '' }: LayoutModel): string {
  const nav = SECTIONS.map(({ href, label }) =>
    `<a href="${href}"${href === section ? ' aria-current="page"' : ''}>${label}</a>`).join('\n      ')
  const account = user === null
    ? ''
    : `<p class="account">Signed in as <strong id="who">${escape(user)}</strong></p>
      <form method="post" action="/signout"><button>Sign out</button></form>`
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>
  *, ::before, ::after { box-sizing: border-box; }
  body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 0 16px 16px; color: #1b1b29; }
  a { color: #2947c9; }
  .site { display: flex; flex-wrap: wrap; gap: 4px 16px; align-items: center; justify-content: space-between; padding: 12px 0; border-bottom: 1px solid #d0d4dc; margin-bottom: 16px; }
  .site nav { display: flex; flex-wrap: wrap; gap: 4px 16px; }
  .site nav a[aria-current=page] { font-weight: 600; color: inherit; text-decoration: none; }
  .site .brand { font-weight: 700; color: inherit; text-decoration: none; }
  .account { margin: 0; }
  .site form { margin: 0; }
  .card { border: 1px solid #d0d4dc; border-radius: 12px; padding: 12px 16px; margin-bottom: 12px; }
  .visually-hidden { position: absolute; inline-size: 1px; block-size: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
  h1 { font-size: 1.6rem; margin: 0 0 12px; }
  h2 { font-size: 1.15rem; margin: 0 0 8px; }
  button { font: inherit; }
  ${style}
</style>
</head>
<body>
<header class="site">
  <a class="brand" href="/">chatzy-agent demo</a>
  <nav aria-label="Demo pages">
      ${nav}
  </nav>
  ${account}
</header>
<main>
${main}
</main>
${end}
</body>
</html>`
}
