// A development JWT for the service in jwt mode, signed with a key pair kept in target/dev-jwt/ (created on first use).
// Usage:  node clients/js/scripts/dev-token.mjs [user] [groups, comma-separated] [lifetime in seconds]
//   node clients/js/scripts/dev-token.mjs alice                        -> a token for /ws as alice, valid one hour
//   node clients/js/scripts/dev-token.mjs backend realtime-publisher   -> a token for the internal API
// Start the service with: REALTIME_AUTH_MODE=jwt MP_JWT_VERIFY_PUBLICKEY_LOCATION=target/dev-jwt/public.pem
// Claims: iss, sub, iat, exp (all required, docs/security.md#required-claims), groups. iss is $JWT_ISSUER, else
// "https://quarkus.io/issuer" (it must equal mp.jwt.verify.issuer, and that is Quarkus's default for it); set JWT_AUDIENCE for aud when the service sets
// mp.jwt.verify.audiences. Never use this key outside development.
import { generateKeyPairSync, sign } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL("../../../target/dev-jwt/", import.meta.url));
if (!existsSync(dir + "private.pem")) {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  mkdirSync(dir, { recursive: true });
  writeFileSync(dir + "public.pem", publicKey.export({ type: "spki", format: "pem" }));
  writeFileSync(dir + "private.pem", privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
}
const [user = "alice", groups = "", lifetime = "3600"] = process.argv.slice(2);
const now = Math.floor(Date.now() / 1000);
const claims = { iss: process.env.JWT_ISSUER || "https://quarkus.io/issuer", sub: user, iat: now, exp: now + Number(lifetime),
  groups: groups ? groups.split(",") : [] };
if (process.env.JWT_AUDIENCE) claims.aud = process.env.JWT_AUDIENCE;
const part = (json) => Buffer.from(JSON.stringify(json)).toString("base64url");
const unsigned = part({ alg: "RS256", typ: "JWT" }) + "." + part(claims);
const signature = sign("sha256", Buffer.from(unsigned), readFileSync(dir + "private.pem")).toString("base64url");
console.log(unsigned + "." + signature);
