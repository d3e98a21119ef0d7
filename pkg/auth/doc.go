// Package auth holds complytrack's security primitives: password hashing,
// access-token signing and verification, signing-key management, opaque
// refresh and invitation tokens, a login rate limiter and the role set.
//
// It is a pure library: it imports no web framework, no database driver and
// does no logging, so the HTTP handlers and the store (written elsewhere)
// decide what is persisted and what is said to the client, and every rule
// here can be tested as a plain function. Nothing in this package ever puts a
// password, a private key or a raw opaque token into an error message.
//
// # Passwords
//
// [Hasher] hashes with argon2id (RFC 9106) at no less than the OWASP minimum
// [MinParams] (m=19 MiB, t=2, p=1) and encodes the result in the PHC string
// form
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt, base64 without padding>$<hash, base64 without padding>
//
// so the parameters travel with each hash and can be raised later:
// [Hasher.Verify] reports needsRehash when a stored hash was made with other
// parameters than the hasher's current ones, and the caller then stores a
// fresh [Hasher.Hash] of the password it has just verified.
//
// Each hash costs tens of MiB of memory and tens of ms of CPU, so a Hasher
// runs at most a fixed number at once; further callers wait on their context.
// This bounds memory under a login flood instead of letting the process be
// killed for running out of it.
//
// Login must answer the same, in the same time, for an unknown e-mail as for
// a wrong password, or the endpoint tells an attacker who has an account.
// [Hasher.VerifyDummy] spends one verification against a fixed hash made with
// the current parameters for exactly that case.
//
// [CheckPasswordPolicy] is the policy for new passwords: at least
// [MinPasswordLength] characters and at most [MaxPasswordBytes] bytes. The
// upper bound is not about strength: it bounds the work one request can ask
// for.
//
// # Access tokens
//
// [AccessTokens] issues and verifies JWTs signed with Ed25519 ("EdDSA", RFC
// 8037), 15 minutes by default, carrying iss, aud, sub, exp, iat, jti and
// "sid" (the session id naming the login, that is the refresh-token family,
// so a caller may refuse access tokens of a revoked login before they
// expire), with "kid" and typ "at+jwt" (RFC 9068) in the header. Verification
// accepts only EdDSA, only the configured issuer and audience, requires exp,
// refuses iat and nbf in the future (beyond a small leeway), refuses tokens
// longer than [MaxTokenBytes] before parsing them, and looks the key up by
// kid among the [KeySet]'s verification keys.
//
// Roles are deliberately not in the token: manager is derived from the
// reporting line at request time, and HR can change a role without waiting
// for tokens to expire.
//
// # Signing keys and their configuration format
//
// A [KeySet] is one signing key plus any number of verification-only keys.
// Key ids are the RFC 7638 JWK thumbprint of the public key (base64url
// SHA-256), so they are stable across restarts and replicas without being
// configured, and cannot collide by operator mistake.
//
// In production the keys come from configuration as text holding one or more
// PEM blocks ([ParseKeySetPEM]), for example in an environment variable
// (suggested: COMPLYTRACK_JWT_KEYS) or a file ([LoadKeyFile], suggested
// COMPLYTRACK_JWT_KEYS_FILE):
//
//	-----BEGIN PRIVATE KEY-----        <- PKCS#8 Ed25519 private key: the FIRST block, signs and verifies
//	MC4CAQAwBQYDK2VwBCIEI...
//	-----END PRIVATE KEY-----
//	-----BEGIN PRIVATE KEY-----        <- further private keys: verify only
//	...
//	-----END PRIVATE KEY-----
//	-----BEGIN PUBLIC KEY-----         <- PKIX Ed25519 public key: verify only
//	MCowBQYDK2VwAyEA...
//	-----END PUBLIC KEY-----
//
// An environment value must keep the PEM line breaks (for example
// COMPLYTRACK_JWT_KEYS="$(cat current.pem next.pem)", or a YAML block
// scalar); where an env file cannot hold them, use the file instead.
// Generate a key with `openssl genpkey -algorithm ed25519`.
//
// The first block must be a private key. Exactly the blocks "PRIVATE KEY" and
// "PUBLIC KEY" are understood (what `openssl genpkey -algorithm ed25519` and
// `openssl pkey -pubout` print); anything else, text outside blocks, or the
// same key twice is an error rather than silently ignored, because a
// half-read key configuration would otherwise surface only as users being
// logged out. Every key configured is published in the JWKS.
//
// Rotation without logging anyone out, on any number of replicas:
//
//  1. append the new private key after the current one and roll out
//     (everyone can verify it; it is in the JWKS);
//  2. move it to the front and roll out (it now signs);
//  3. after the access-token lifetime has passed, remove the old key (or
//     keep only its PUBLIC KEY for a while) and roll out.
//
// In embedded (single-process) mode [LoadOrCreateKeyFile] generates a key on
// first start and keeps it, in the same format, in a file of mode 0600 in the
// data directory. Key files, in either mode, that are accessible to group or
// others are refused: a readable signing key lets anyone mint tokens. (On
// Kubernetes, mount the secret with defaultMode 0400.)
//
// # Opaque tokens
//
// Refresh and invitation tokens are 256-bit random strings from
// crypto/rand ([NewOpaqueToken]). Only their SHA-256 ([HashToken]) is
// stored, so a copy of the database does not yield usable tokens, and lookups
// are by hash. SHA-256 without salt is right here (unlike for passwords):
// the input has 256 bits of entropy, so there is nothing to guess.
//
// # Login rate limiting
//
// [Limiter] counts failures per key in a sliding window (the caller uses
// "account:<email>" with [AccountLimit] and "ip:<addr>" with the far higher
// [AddressLimit]) and blocks a key with a Retry-After once the limit is
// reached. The counts live in the database ([FailureStore]), so every
// replica sees the same ones and the bound does not grow with the number of
// replicas. Each failure is an insert under its own numbered key, the one
// write both database engines make atomic.
package auth
