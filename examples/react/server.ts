import { startViteExample } from '../shared/vite-dev.js'

await startViteExample('react', new URL('.', import.meta.url), 5173)
