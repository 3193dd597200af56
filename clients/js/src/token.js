// Reading a JWT's exp (without verifying it: the service verifies) and choosing when to renew.

/** The token's exp claim in epoch milliseconds, or undefined when it has none or is not a JWT. */
export function expiryOf(token) {
  if (typeof token !== "string") {
    return undefined;
  }
  const parts = token.split(".");
  if (parts.length !== 3) {
    return undefined;
  }
  try {
    const claims = JSON.parse(decodeBase64Url(parts[1]));
    return typeof claims.exp === "number" ? claims.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Milliseconds from now until a token expiring at expMs should be renewed: renewBeforeMs ahead of exp, but never
 * more than half the remaining life ahead (short-lived tokens are renewed at half-life), never negative.
 */
export function renewalDelay(expMs, nowMs, renewBeforeMs) {
  const remaining = expMs - nowMs;
  if (remaining <= 0) {
    return 0;
  }
  const lead = Math.min(renewBeforeMs, remaining / 2);
  return Math.max(0, Math.floor(remaining - lead));
}

function decodeBase64Url(text) {
  let base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  while (base64.length % 4) {
    base64 += "=";
  }
  if (typeof atob === "function") {
    const binary = atob(base64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return new TextDecoder().decode(bytes);
  }
  return Buffer.from(base64, "base64").toString("utf8");
}
