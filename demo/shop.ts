import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { escape, layout } from './layout.js'

/** The demo shop's catalogue: a few products, enough pages to walk between with the chat open. */
export interface Product {
  id: string
  name: string
  /** In cents. */
  price: number
  summary: string
  details: string
  /** The swatch that stands in for a product photo. */
  colour: string
}

export const PRODUCTS: readonly Product[] = [
  { id: 'kyusu-teapot', name: 'Kyusu teapot', price: 4800, colour: '#8a5a44', summary: 'A side-handled clay teapot for green tea, 300 ml.', details: 'Tokoname clay, a fine built-in strainer, and a lid that stays put while you pour. Rinse with hot water only: the clay keeps the taste of the teas it brews.' },
  { id: 'sencha', name: 'Sencha, first flush', price: 1400, colour: '#7fa650', summary: 'Spring green tea from Shizuoka, 100 g.', details: 'Steamed a little longer than usual for a deep, sweet cup. Brew 70 °C water for one minute; the leaves give three infusions.' },
  { id: 'matcha-whisk', name: 'Matcha whisk', price: 2200, colour: '#c8b58a', summary: 'Bamboo chasen with 100 tines.', details: 'Carved from one piece of white bamboo. Soak it for a minute before whisking, and let it dry on a holder so that it keeps its shape.' },
  { id: 'tea-cups', name: 'Pair of tea cups', price: 3200, colour: '#4e6e8e', summary: 'Two glazed stoneware cups, 120 ml each.', details: 'A blue ash glaze over a rough stoneware body: each pair differs a little. Dishwasher safe.' },
]

const CART_COOKIE = 'demo_cart'
const CART_LIMIT = 20
const byId = new Map(PRODUCTS.map((product) => [product.id, product]))
const money = (cents: number) => `€${(cents / 100).toFixed(2)}`

export interface ShopOptions {
  /** The host's signed-in user, or null (then the shop asks to sign in first). */
  signedInUser(request: FastifyRequest): string | null
  chatbotId: string
  appUrl: string
  /** The demo's Content Security Policy. */
  csp: string
}

/**
 * The shop: server-rendered pages of the host app, each with the agent in launcher mode. The
 * element keeps its panel open across them (sessionStorage) and reuses the one session.
 */
export function registerShop(app: FastifyInstance, options: ShopOptions): void {
  const send = (request: FastifyRequest, reply: FastifyReply, render: (user: string) => string) => {
    const user = options.signedInUser(request)
    if (user === null) return reply.redirect(`/?next=${encodeURIComponent(request.url)}`, 303)
    return reply.type('text/html; charset=utf-8').header('content-security-policy', options.csp).send(render(user))
  }
  const agent = { chatbotId: options.chatbotId, appUrl: options.appUrl }

  app.get('/shop', async (request, reply) => send(request, reply, (user) => shopPage({
    user, cart: readCart(request), agent, title: 'Teas and teaware',
    main: `<h1>Teas and teaware</h1>
<ul class="products">
  ${PRODUCTS.map((product) => `<li class="card">
    <div class="swatch" style="background:${product.colour}"></div>
    <h2><a href="/shop/product/${product.id}">${escape(product.name)}</a></h2>
    <p>${escape(product.summary)}</p>
    <p class="price">${money(product.price)}</p>
  </li>`).join('\n  ')}
</ul>`,
  })))

  app.get<{ Params: { id: string } }>('/shop/product/:id', async (request, reply) => {
    const product = byId.get(request.params.id)
    if (product === undefined) return reply.code(404).type('text/plain').send('No such product in the demo shop')
    return send(request, reply, (user) => shopPage({
      user, cart: readCart(request), agent, title: product.name,
      main: `<article class="product">
  <div class="swatch" style="background:${product.colour}"></div>
  <div>
    <h1>${escape(product.name)}</h1>
    <p class="price">${money(product.price)}</p>
    <p>${escape(product.summary)}</p>
    <p>${escape(product.details)}</p>
    <form method="post" action="/shop/cart">
      <button name="add" value="${product.id}">Add to cart</button>
      <button type="button" id="ask" data-product="${escape(product.name)}">Ask about this product</button>
    </form>
  </div>
</article>`,
      script: `document.getElementById('ask').addEventListener('click', (event) => {
  const agent = document.querySelector('chatzy-agent')
  agent.show()
  agent.nudge('I have a question about the ' + event.target.dataset.product + '.')
})`,
    }))
  })

  app.get('/shop/cart', async (request, reply) => send(request, reply, (user) => {
    const cart = readCart(request)
    const lines = [...new Set(cart)].map((id) => ({ product: byId.get(id)!, quantity: cart.filter((x) => x === id).length }))
    const total = lines.reduce((sum, line) => sum + line.product.price * line.quantity, 0)
    return shopPage({
      user, cart, agent, title: 'Your cart',
      main: `<h1>Your cart</h1>
${lines.length === 0 ? '<p>Your cart is empty. <a href="/shop">Browse the teas</a>.</p>' : `<form method="post" action="/shop/cart">
<table class="cart">
  <thead><tr><th scope="col">Product</th><th scope="col">Quantity</th><th scope="col">Price</th><th scope="col"><span class="visually-hidden">Remove</span></th></tr></thead>
  <tbody>
  ${lines.map(({ product, quantity }) => `<tr>
    <td><a href="/shop/product/${product.id}">${escape(product.name)}</a></td>
    <td>${quantity}</td>
    <td>${money(product.price * quantity)}</td>
    <td><button name="remove" value="${product.id}" aria-label="Remove ${escape(product.name)}">Remove</button></td>
  </tr>`).join('\n  ')}
  </tbody>
  <tfoot><tr><th scope="row">Total</th><td></td><td>${money(total)}</td><td></td></tr></tfoot>
</table>
</form>
<p>This demo shop sells nothing: questions about an order go to the assistant.</p>`}`,
    })
  }))

  app.post<{ Body: { add?: string; remove?: string } }>('/shop/cart', async (request, reply) => {
    if (options.signedInUser(request) === null) return reply.redirect('/', 303)
    let cart = readCart(request)
    const { add, remove } = request.body ?? {}
    if (typeof add === 'string' && byId.has(add) && cart.length < CART_LIMIT) cart = [...cart, add]
    if (typeof remove === 'string') cart = cart.filter((id) => id !== remove)
    reply.setCookie(CART_COOKIE, cart.join('.'), { httpOnly: true, sameSite: 'lax', path: '/shop' })
    return reply.redirect('/shop/cart', 303)
  })
}

/** Product ids in the cart, one per item; anything not in the catalogue is dropped. */
function readCart(request: FastifyRequest): string[] {
  return (request.cookies[CART_COOKIE] ?? '').split('.').filter((id) => byId.has(id)).slice(0, CART_LIMIT)
}

interface ShopPageModel {
  user: string
  cart: string[]
  agent: { chatbotId: string; appUrl: string }
  title: string
  main: string
  /** The page's own module script, run after the element is registered. */
  script?: string
}

function shopPage({ user, cart, agent, title, main, script }: ShopPageModel): string {
  return layout({
    title: `${title} · Teapot & Co (demo shop)`,
    user,
    section: '/shop',
    style: SHOP_STYLE,
    main: `<nav aria-label="Shop" class="shop-nav">
  <a href="/shop">All products</a>
  <a href="/shop/cart">Cart (<span id="cart-count">${cart.length}</span>)</a>
</nav>
${main}`,
    // The launcher floats in a corner; in its own landmark so that every part of the page is in one.
    end: `<aside aria-label="Shop assistant">
  <chatzy-agent mode="launcher" position="bottom-right" chatbot-id="${escape(agent.chatbotId)}" endpoint="/chatzy" app-url="${escape(agent.appUrl)}" title="Chat with Teapot &amp; Co">
    <span slot="launcher">Ask us</span>
  </chatzy-agent>
</aside>
<script type="module" src="/assets/chatzy-agent.js"></script>
${script === undefined ? '' : `<script type="module">\n${script}\n</script>`}`,
  })
}

// One column on phones; the swatches keep their box from the first paint (aspect-ratio), and the
// launcher's slotted label stays out of the flow until the element is defined.
const SHOP_STYLE = `
  .shop-nav { display: flex; gap: 16px; margin-bottom: 16px; }
  .products { list-style: none; padding: 0; margin: 0; display: grid; gap: 16px; grid-template-columns: repeat(auto-fill, minmax(min(100%, 220px), 1fr)); }
  .products .card { margin: 0; }
  .products p { margin: 4px 0; }
  .swatch { aspect-ratio: 4 / 3; border-radius: 8px; margin-bottom: 8px; }
  .price { font-weight: 600; }
  .product { display: grid; gap: 16px; }
  @media (min-width: 700px) { .product { grid-template-columns: minmax(0, 2fr) minmax(0, 3fr); } }
  .product form { display: flex; flex-wrap: wrap; gap: 8px; }
  .cart { border-collapse: collapse; inline-size: 100%; }
  .cart th, .cart td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #d0d4dc; }
  chatzy-agent:not(:defined) { display: none; }
  /* Room at the end of the page so that the launcher never covers its last line. */
  main { padding-bottom: 96px; }`
