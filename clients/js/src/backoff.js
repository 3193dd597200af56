// Reconnect delays. "Full jitter" (a uniform draw in [0, min(cap, base * 2^attempt)]) spreads clients that
// failed together over the whole window, so a fleet never retries in step.

/** The exponential ceiling for the given attempt (0-based): min(cap, base * 2^attempt). */
export function ceiling(attempt, { baseMs, capMs }) {
  const exponent = Math.min(Math.max(attempt, 0), 30);
  return Math.min(capMs, baseMs * 2 ** exponent);
}

/** Full jitter: uniform in [0, ceiling]. */
export function fullJitter(attempt, backoff, random = Math.random) {
  return Math.floor(random() * ceiling(attempt, backoff));
}

/**
 * For a server that said "not now" (1013, 429, 503): never zero. Waits what the server asked for (Retry-After)
 * plus a full-jitter spread, or, without Retry-After, half the ceiling plus a jittered half ("equal jitter").
 */
export function pushedBack(attempt, backoff, retryAfterMs, random = Math.random) {
  const top = ceiling(attempt, backoff);
  if (retryAfterMs !== undefined && retryAfterMs !== null && retryAfterMs >= 0) {
    return Math.min(retryAfterMs, backoff.maxRetryAfterMs) + Math.floor(random() * top);
  }
  return Math.floor(top / 2 + random() * (top / 2));
}

/** A uniform draw in [0, windowMs]: the spread after a drain (1001) or a 4001. */
export function spread(windowMs, random = Math.random) {
  return Math.floor(random() * windowMs);
}

/**
 * Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 10.2.3); undefined when absent or unreadable.
 */
export function parseRetryAfter(value, now = Date.now()) {
  if (value === undefined || value === null) {
    return undefined;
  }
  const text = String(value).trim();
  if (/^\d+$/.test(text)) {
    return Number(text) * 1000;
  }
  const date = /^[A-Za-z]{3},/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(date)) {
    return undefined;
  }
  return Math.max(0, date - now);
}
