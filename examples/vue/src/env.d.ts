/// <reference types="vite/client" />

interface ImportMetaEnv {
  readonly VITE_CHATZY_CHATBOT_ID: string
  readonly VITE_CHATZY_APP_URL?: string
}
