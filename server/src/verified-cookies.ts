/** What a signed cookie value verified to: the session id, and whether an older secret signed it. */
export interface VerifiedCookie {
  id: string
  renew: boolean
}

/**
 * A bounded memo of signed cookie values already verified, so that a browser sending the same
 * cookie on every refresh costs one HMAC, not one per request. Verification is deterministic
 * (same value, same secrets, same answer) and only successes are kept, so a hit answers exactly
 * what verifying again would. Lookups hash the whole signed value with V8's per-process
 * random seed, so an attacker cannot aim at a stored entry. Memory stays bounded: past
 * `limit` entries, the oldest is dropped.
 */
export function verifiedCookies(verify: (raw: string) => VerifiedCookie | undefined, limit = 10_000) {
  const memo = new Map<string, VerifiedCookie>()
  return (raw: string): VerifiedCookie | undefined => {
    const known = memo.get(raw)
    if (known !== undefined) return known
    const verified = verify(raw)
    if (verified === undefined) return undefined
    if (memo.size >= limit) memo.delete(memo.keys().next().value as string)
    memo.set(raw, Object.freeze(verified))
    return verified
  }
}
