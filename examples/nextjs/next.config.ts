import type { NextConfig } from 'next'

// In your app `chatzy-agent` comes from node_modules and none of this is needed. Here it is
// this repository's TypeScript sources (tsconfig.json's paths), above this folder, whose
// imports name their files `.js` as Node's ESM wants: webpack's extensionAlias maps them to
// the `.ts` files (Turbopack has no such option yet, hence `next build --webpack`).
const config: NextConfig = {
  experimental: { externalDir: true },
  webpack(webpack) {
    webpack.resolve.extensionAlias = { '.js': ['.ts', '.tsx', '.js'] }
    return webpack
  },
}

export default config
