import { css } from '@lit/reactive-element'

// The loading and error slots show only in their status; the iframe stays alive (hidden)
// during a retryable error so that a recovered token needs no reload.
export const styles = css`
  :host {
    display: block;
    inline-size: var(--chatzy-agent-width, 100%);
    block-size: var(--chatzy-agent-height, 600px);
    contain: content;
  }
  :host([hidden]) { display: none; }
  [part=base] {
    box-sizing: border-box;
    inline-size: 100%;
    block-size: 100%;
    border: var(--chatzy-agent-border, 1px solid #d0d4dc);
    border-radius: var(--chatzy-agent-radius, 12px);
    background: var(--chatzy-agent-background, transparent);
    overflow: hidden;
    display: grid;
  }
  [part=base] > *, .notice, ::slotted(*) { grid-area: 1 / 1; }
  [part=frame] { border: 0; inline-size: 100%; block-size: 100%; }
  :host([status=error]) [part=frame] { visibility: hidden; }
  :host(:not([status=loading])) [name=loading], :host(:not([status=error])) [name=error] { display: none; }
  .notice { place-self: center; text-align: center; padding: 1rem; }
`
