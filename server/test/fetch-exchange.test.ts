import { test } from 'node:test'
import assert from 'node:assert/strict'
import { FetchExchange, hostOf, pathOf } from '../src/fetch/exchange.js'

// What a runtime hands the fetch handler: `Request.url`, serialized by the URL parser.
const urls = [
  'http://localhost:3000/chatzy/refresh',
  'https://App.Example.com/chatzy/session?x=1#top',
  'https://app.example.com:443/chatzy/session',
  'http://127.0.0.1/',
  'http://[::1]:8787/chatzy/refresh?',
  'http://[2001:db8::1]/a/b',
  'https://xn--bcher-kva.example/chatzy',
  'https://bücher.example:8443/chatzy/%7Euser/./x/../refresh',
  'http://host.test',
]

test('path, host and hostname sliced from Request.url are what the URL parser says', () => {
  for (const input of urls) {
    const request = new Request(input)
    const url = new URL(request.url)
    assert.equal(pathOf(request.url), url.pathname, input)
    assert.equal(hostOf(request.url), url.host, input)
    const exchange = new FetchExchange(request, () => null, console)
    assert.equal(exchange.hostname, url.hostname, input)
    assert.equal(exchange.protocol, url.protocol === 'https:' ? 'https' : 'http', input)
  }
})

test('identify is asked once per exchange, and each cookie is kept in order', () => {
  let asked = 0
  const exchange = new FetchExchange(new Request('http://localhost/chatzy/refresh'), () => { asked++; return 'alice' }, console)
  assert.equal(exchange.identify(), 'alice')
  assert.equal(exchange.identify(), 'alice')
  assert.equal(asked, 1)
  exchange.setCookie('a=1')
  exchange.setCookie('b=2')
  assert.deepEqual(exchange.cookies, ['a=1', 'b=2'])
})
