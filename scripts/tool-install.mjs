// @ts-check
/**
 * What `scripts/check-tools.mjs` does about missing tools: install them itself where that is
 * safe and expected (root on Debian or Ubuntu: containers, CI), else print the one command to
 * run. Pure decisions, so that they are tested without installing anything.
 */

/**
 * Debian or Ubuntu (or a derivative that says so), from /etc/os-release's text.
 * @param {string | undefined} osRelease
 */
export function isDebianLike(osRelease) {
  if (osRelease === undefined) return false
  const field = (/** @type {string} */ name) => osRelease.match(new RegExp(`^${name}="?([^"\\n]*)"?$`, 'm'))?.[1] ?? ''
  return `${field('ID')} ${field('ID_LIKE')}`.split(/\s+/).some((id) => id === 'debian' || id === 'ubuntu')
}

/**
 * @typedef {{ apt: string, brew?: string }} Missing what a missing tool's install is: its Debian package, its macOS command
 * @typedef {{ action: 'install', packages: string[] } | { action: 'print', command: string }} Plan
 */

/**
 * @param {{ missing: Missing[], platform: string, root: boolean, debianLike: boolean, aptGet: boolean }} machine
 * @returns {Plan | undefined}
 */
export function installPlan({ missing, platform, root, debianLike, aptGet }) {
  if (missing.length === 0) return undefined
  const packages = [...new Set(missing.map((tool) => tool.apt))]
  if (platform === 'darwin') {
    const brew = [...new Set(missing.map((tool) => tool.brew).filter((command) => command !== undefined))]
    return { action: 'print', command: brew.join(' && ') }
  }
  if (debianLike && root && aptGet) return { action: 'install', packages }
  const sudo = root ? '' : 'sudo '
  const command = `${sudo}apt-get update && ${sudo}apt-get install -y --no-install-recommends ${packages.join(' ')}`
  // Another Linux: the packages' Debian names still say what to look for.
  return { action: 'print', command: debianLike ? command : `(Debian/Ubuntu) ${command}` }
}
