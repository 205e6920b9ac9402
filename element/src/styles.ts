import { css } from 'lit'

export const styles = css`
  :host {
    display: block;
    inline-size: var(--chatzy-agent-width, 100%);
    block-size: var(--chatzy-agent-height, 600px);
    contain: content;
  }
  :host([hidden]) { display: none; }
  [part='base'] {
    box-sizing: border-box;
    inline-size: 100%;
    block-size: 100%;
    border: var(--chatzy-agent-border, 1px solid #d0d4dc);
    border-radius: var(--chatzy-agent-radius, 12px);
    overflow: hidden;
    background: var(--chatzy-agent-background, transparent);
    display: grid;
  }
  [part='base'] > * { grid-area: 1 / 1; }
  [part='frame'] { border: 0; inline-size: 100%; block-size: 100%; }
  .notice { place-self: center; text-align: center; padding: 1rem; }
`
