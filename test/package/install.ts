import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

export const run = promisify(execFile)
export const root = fileURLToPath(new URL('../../', import.meta.url))
export const bin = (name: string) => join(root, 'node_modules', '.bin', name)

export interface Installed {
  /** The temporary project. */
  dir: string
  /** The packed tarball. */
  tarball: string
  /** Where the tarball was unpacked: `node_modules/chatzy-agent` of the project. */
  packageDir: string
  /** The paths inside the tarball, as `npm pack` listed them. */
  files: string[]
  remove(): Promise<void>
}

/**
 * `npm pack`s this repository (as `npm publish` would), then installs the tarball into a fresh
 * project under the OS temp directory as npm lays it out (node_modules/chatzy-agent), with the
 * dependencies linked from this repository's node_modules, so no network is needed; the
 * packages named in `without` are left out (an app that has no Fastify, say).
 */
export async function packAndInstall({ without = [] }: { without?: string[] } = {}): Promise<Installed> {
  if (!existsSync(join(root, 'dist', 'cdn')) || !existsSync(join(root, 'custom-elements.json'))) {
    throw new Error('Build the package first: npm run build')
  }
  const dir = await mkdtemp(join(tmpdir(), 'chatzy-agent-pack-'))
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: root, maxBuffer: 16 << 20 })
  const [packed] = JSON.parse(stdout) as [{ filename: string; files: { path: string }[] }]
  const tarball = join(dir, packed.filename)

  const modules = join(dir, 'node_modules')
  const packageDir = join(modules, 'chatzy-agent')
  await mkdir(packageDir, { recursive: true })
  await run('tar', ['-xzf', tarball, '-C', packageDir, '--strip-components=1'])
  for (const name of await readdir(join(root, 'node_modules'))) {
    if (name.startsWith('.') || name === 'chatzy-agent' || without.includes(name)) continue
    await symlink(join(root, 'node_modules', name), join(modules, name), 'dir')
  }
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
  return {
    dir,
    tarball,
    packageDir,
    files: packed.files.map((file) => file.path),
    remove: () => rm(dir, { recursive: true, force: true }),
  }
}
