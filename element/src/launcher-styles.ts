import { css } from '@lit/reactive-element'

// The host takes no box in launcher mode (no invisible holder over the page's own clicks):
// the button and the teaser are fixed to a corner, the panel lives in the top layer.
// Before its first update the element's box is still the inline one: in launcher mode it never
// shows as such, so that the panel's first style (closed, or restored open) has nothing to fade
// from. Only the panel's entrance and exit move (opacity, translate; display and overlay keep it
// shown while it leaves): with `all`, WebKit also animated its place and size from the inline
// box's when the part changed and the popover opened in the same update.
export const launcherStyles = css`
:host(:not([mode=launcher])) :is([part=launcher], [part=teaser], .bar) { display: none }
:host([mode=launcher]:not([hidden])) { display: contents; --_o: var(--chatzy-agent-offset, 20px); --_a: var(--chatzy-agent-accent, #2d4ed8) }
[part=launcher], [part=teaser], [part=panel] { position: fixed; inset: auto var(--_o) var(--_o) auto; z-index: 2147483000; margin: 0; box-sizing: border-box; border: 0; border-radius: 12px; box-shadow: 0 4px 24px #0004 }
:host([position=bottom-left]) [part] { inset-inline: var(--_o) auto }
[part=launcher] { display: flex; align-items: center; min-inline-size: 56px; block-size: 56px; padding: 0 16px; border-radius: 28px; background: var(--_a); color: #fff; font: 600 15px system-ui }
svg { inline-size: 24px; fill: currentColor }
[part=teaser], [part=panel] { bottom: calc(var(--_o) + 68px); background: #fff; color: #1b1b29 }
[part=teaser]:not([hidden]) { display: flex; max-inline-size: min(300px, 100vw - 2 * var(--_o)) }
:is([part=teaser], .bar) button { font: inherit; color: inherit; border: 0; background: none; padding: 12px }
[part=panel] {
  inline-size: min(var(--chatzy-agent-panel-width, 400px), 100vw - 2 * var(--_o));
  block-size: min(var(--chatzy-agent-panel-height, 640px), 100dvh - 2 * var(--_o) - 68px);
  padding: calc(48px + env(safe-area-inset-top, 0px)) env(safe-area-inset-right, 0px) env(safe-area-inset-bottom, 0px) env(safe-area-inset-left, 0px);
  overflow: hidden
}
[part=panel]:popover-open { display: grid }
[part=panel] > * { grid-area: 1 / 1 }
/* An absolutely placed grid child with a grid area is placed in that area, below the padding:
   the header takes no area, so it sits in the padding the panel keeps for it. */
.bar { position: absolute; grid-area: auto; inset: env(safe-area-inset-top, 0px) 0 auto; block-size: 48px; display: flex; align-items: center; justify-content: space-between; padding-inline-start: 16px; background: var(--_a); color: #fff }
/* The close button fills the header's height exactly, whatever its glyph's font: never over the conversation. */
.bar button { block-size: 100%; padding-block: 0 }
@media (max-width: 480px) { [part=panel] { inset: 0 !important; inline-size: auto; block-size: 100dvh; border-radius: 0 } }
:host([mode=launcher]) [part=base] { display: none }
@media (prefers-reduced-motion: no-preference) {
  [part=panel] { transition: .2s allow-discrete; transition-property: opacity, translate, display, overlay }
  [part=panel]:not(:popover-open) { opacity: 0; translate: 0 16px }
  @starting-style { [part=panel]:popover-open { opacity: 0; translate: 0 16px } }
}
`
