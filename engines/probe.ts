import { webkit } from './webkit.js'
import { startSite } from './site.js'
import { focused, mountLauncher, signIn, agentPage } from './agent.js'
const engine = await webkit()
const site = await startSite()
const ctx = await engine.newContext()
const page = await ctx.newPage()
await signIn(page, site)
const script = `<script>window.log=[];const t=()=>Math.round(performance.now());
addEventListener("keydown",e=>log.push(t()+" key "+e.key+" "+e.composedPath()[0].tagName), true);
addEventListener("focusin",e=>log.push(t()+" focusin "+e.composedPath()[0].tagName+" "+e.composedPath()[0].getAttribute('part')), true);
addEventListener("focusout",e=>log.push(t()+" focusout "+e.composedPath()[0].tagName+" to "+(e.relatedTarget&&e.relatedTarget.tagName)), true);
addEventListener("blur",e=>log.push(t()+" window blur"));
addEventListener("focus",e=>log.push(t()+" window focus"));
new MutationObserver(()=>log.push(t()+" status "+document.querySelector('chatzy-agent').getAttribute('status'))).observe(document.querySelector('chatzy-agent'),{attributes:true,attributeFilter:['status']})
</script>`
const mode = process.env.MODE
if (mode === 'plain') { site.serve('/p', '<!doctype html><input id=a><button id=b>b</button>' + script.replace(/new Mutation.*\n/, '')); await page.goto(site.url + '/p') }
else await mountLauncher(page, site, { after: script, attributes: mode === 'inline' ? { mode: 'inline', loading: 'lazy' } : {} })
const log = () => page.evaluate(() => [document.hasFocus(), (window as any).log])
await page.press('Tab'); await new Promise(r => setTimeout(r, 1000))
console.log(await log(), await focused(page))
await ctx.close(); await site.close(); await engine.close()
