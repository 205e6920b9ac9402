const SVG = 'http://www.w3.org/2000/svg'

/**
 * An element built node by node, never parsed from an HTML string: the element writes to no
 * Trusted Types sink, so it works on a page that enforces `require-trusted-types-for 'script'`
 * with no policy. `svg` and `path` are made in the SVG namespace.
 */
export function h(tag: string, attributes: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElement {
  const element = (/^(svg|path)$/.test(tag) ? document.createElementNS(SVG, tag) : document.createElement(tag)) as HTMLElement
  for (const name in attributes) element.setAttribute(name, attributes[name]!)
  element.append(...children)
  return element
}
