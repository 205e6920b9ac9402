import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { root } from './install.js'

/**
 * custom-elements.json is what editors, Storybook and framework tooling read to know the element.
 * It must describe all of it, in step with the code: attributes, properties, methods, events
 * (with their classes), slots, CSS parts and custom properties.
 */

interface Described { name: string; description?: string; type?: { text: string } }
interface Declaration {
  kind: string
  name: string
  tagName?: string
  customElement?: boolean
  description?: string
  attributes?: (Described & { fieldName?: string })[]
  members?: (Described & { kind: 'field' | 'method'; privacy?: string; static?: boolean; parameters?: Described[] })[]
  events?: Described[]
  slots?: Described[]
  cssParts?: Described[]
  cssProperties?: Described[]
}

const file = `${root}custom-elements.json`
if (!existsSync(file)) throw new Error('Build the package first: npm run build')
const manifest = JSON.parse(readFileSync(file, 'utf8')) as { modules: { path: string; declarations?: Declaration[] }[] }
const element = manifest.modules.flatMap((module) => module.declarations ?? []).find((d) => d.tagName === 'chatzy-agent')

const { ChatzyAgent } = await import('../../element/src/chatzy-agent.js')
const events = await import('../../element/src/events.js')

/** Lifecycle and rendering hooks of the base class: public in JavaScript, not the element's API. */
const LIFECYCLE = new Set(['constructor', 'connectedCallback', 'disconnectedCallback', 'attributeChangedCallback', 'createRenderRoot', 'render', 'update', 'updated', 'firstUpdated', 'willUpdate', 'shouldUpdate'])

const publicMembers = (kind: 'field' | 'method') =>
  (element?.members ?? []).filter((m) => m.kind === kind && (m.privacy ?? 'public') === 'public' && !m.static && !m.name.startsWith('#'))

test('custom-elements.json declares <chatzy-agent> with a description', () => {
  assert.ok(element, 'no declaration with tagName chatzy-agent')
  assert.equal(element.customElement, true)
  assert.ok(element.description, 'the element has no description')
})

test('every observed attribute is in the manifest, mapped to its property, typed and described', () => {
  const observed = [...(ChatzyAgent as unknown as { observedAttributes: string[] }).observedAttributes].sort()
  const listed = (element?.attributes ?? []).map((a) => a.name).sort()
  assert.deepEqual(listed, observed)
  for (const attribute of element?.attributes ?? []) {
    assert.ok(attribute.fieldName, `attribute ${attribute.name} names no property`)
    assert.ok(attribute.type?.text, `attribute ${attribute.name} has no type`)
    assert.ok(attribute.description, `attribute ${attribute.name} has no description`)
  }
})

test('every public property and method is in the manifest, described; methods with typed parameters', () => {
  const properties = [...(ChatzyAgent as unknown as { elementProperties: Map<string, { state?: boolean }> }).elementProperties]
    .filter(([, options]) => !options.state).map(([name]) => name).sort()
  const fields = publicMembers('field').map((m) => m.name).sort()
  assert.deepEqual(fields, properties)

  const prototype = ChatzyAgent.prototype as unknown as Record<string, unknown>
  const methods = Object.getOwnPropertyNames(prototype)
    .filter((name) => !LIFECYCLE.has(name) && typeof Object.getOwnPropertyDescriptor(prototype, name)?.value === 'function')
    .sort()
  assert.deepEqual(publicMembers('method').map((m) => m.name).sort(), methods)

  for (const member of [...publicMembers('field'), ...publicMembers('method')]) {
    assert.ok(member.description, `${member.name} has no description`)
    for (const parameter of member.parameters ?? []) assert.ok(parameter.type?.text, `${member.name}(${parameter.name}) is untyped`)
  }
})

test('every event the element fires is in the manifest, named, described and typed with its class', () => {
  const classes = (Object.values(events) as unknown[]).filter((value): value is { name: string; type: string } =>
    typeof value === 'function' && typeof (value as { type?: unknown }).type === 'string')
  const fired = new Map(classes.map((event) => [event.type, event.name]))
  const listed = element?.events ?? []
  assert.deepEqual(listed.map((e) => e.name).sort(), [...fired.keys()].sort())
  for (const event of listed) {
    assert.ok(event.description, `${event.name} has no description`)
    assert.equal(event.type?.text, fired.get(event.name), `${event.name} is not typed as its class`)
  }
})

test('slots, CSS parts and custom properties are listed and described', () => {
  assert.deepEqual((element?.slots ?? []).map((s) => s.name).sort(), ['error', 'launcher', 'loading'])
  assert.deepEqual((element?.cssParts ?? []).map((p) => p.name).sort(), ['base', 'close', 'frame', 'launcher', 'panel', 'teaser'])
  assert.ok((element?.cssProperties ?? []).length > 0, 'no CSS custom properties')
  for (const item of [...(element?.slots ?? []), ...(element?.cssParts ?? []), ...(element?.cssProperties ?? [])]) {
    assert.ok(item.description, `${item.name} has no description`)
  }
})

test('the React and Vue typings cover every settable attribute and every event', () => {
  const react = readFileSync(`${root}types/react.d.ts`, 'utf8')
  const vue = readFileSync(`${root}types/vue.d.ts`, 'utf8')
  const block = (source: string, start: RegExp) => {
    const from = source.search(start)
    assert.ok(from >= 0, `no ${start}`)
    const end = source.indexOf('\n\n', from) // each declaration ends at a blank line
    return source.slice(from, end === -1 ? undefined : end)
  }
  const settable = (element?.attributes ?? []).filter((a) => a.name !== 'status')
  const reactAttributes = [...block(react, /interface ChatzyAgentAttributes/).matchAll(/^\s+'?([\w-]+)'?\??:/gm)].map((m) => m[1]).sort()
  assert.deepEqual(reactAttributes, settable.map((a) => a.name).sort(), 'types/react.d.ts ChatzyAgentAttributes')
  const reactEvents = [...block(react, /interface ChatzyAgentEventProps/).matchAll(/'on([\w-]+)'\??:/g)].map((m) => m[1]).sort()
  assert.deepEqual(reactEvents, (element?.events ?? []).map((e) => e.name).sort(), 'types/react.d.ts ChatzyAgentEventProps')

  const vueProperties = [...block(vue, /type ChatzyAgentSettableProperties/).matchAll(/\| '(\w+)'/g)].map((m) => m[1]).sort()
  assert.deepEqual(vueProperties, settable.map((a) => a.fieldName).sort(), 'types/vue.d.ts ChatzyAgentSettableProperties')
  const vueEvents = [...block(vue, /interface ChatzyAgentEvents/).matchAll(/'([\w-]+)':/g)].map((m) => m[1]).sort()
  assert.deepEqual(vueEvents, (element?.events ?? []).map((e) => e.name).sort(), 'types/vue.d.ts ChatzyAgentEvents')
})
