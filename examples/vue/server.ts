import { startViteExample } from '../shared/vite-dev.js'

await startViteExample('vue', new URL('.', import.meta.url), 5174)
