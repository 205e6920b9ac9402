/** Types of scripts/tool-install.mjs (plain JavaScript, so that `pretest` needs no TypeScript loader). */
export interface Missing {
  /** Its Debian package. */
  apt: string
  /** Its macOS command, when it has one. */
  brew?: string
}
export type Plan = { action: 'install'; packages: string[] } | { action: 'print'; command: string }
export function isDebianLike(osRelease: string | undefined): boolean
export function installPlan(machine: { missing: Missing[]; platform: string; root: boolean; debianLike: boolean; aptGet: boolean }): Plan | undefined
