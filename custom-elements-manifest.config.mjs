/**
 * custom-elements.json (package.json `customElements`), generated from the element's JSDoc:
 * `npm run build:manifest`.
 */
export default {
  globs: ['element/src/**/*.ts'],
  exclude: ['element/test/**'],
  outdir: '.',
  litelement: true,
  plugins: [
    {
      // The analyzer also lists each `dispatchEvent(new XEvent(arg))` call as an event, nameless
      // or named after the argument; the real ones come from the `@fires` tags, which carry
      // the event class and a description.
      name: 'chatzy-agent:named-events-only',
      packageLinkPhase({ customElementsManifest }) {
        for (const module of customElementsManifest.modules) {
          for (const declaration of module.declarations ?? []) {
            if (declaration.events) declaration.events = declaration.events.filter((event) => event.name && event.description)
          }
        }
      },
    },
  ],
}
