/**
 * Masking credentials a target function printed in its own logs, before the text goes anywhere
 * (evidence record, Bedrock prompt, notifications, the execution log). Pure; applied where the
 * collector reads log events, so every consumer gets masked text.
 *
 * Each pattern keeps what a diagnosis reads (the key name, the scheme and host, the token type)
 * and replaces only the secret with {@link MASK}. Ordinary log text is left as it is: REPORT
 * lines, stack traces, request ids, UUIDs and ARNs match none of the patterns.
 * Masking is idempotent: masked text masks to itself.
 */

/** What a secret is replaced with. */
export const MASK = '[MASKED]';

/** Key names whose value is a secret in `key=value`, `key: value` and JSON `"key": "value"`. */
const SECRET_KEY = String.raw`[A-Za-z0-9_.-]*(?:password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?|authorization)[A-Za-z0-9_.-]*`;

interface MaskRule {
  readonly name: string;
  readonly pattern: RegExp;
  readonly replace: (match: string, ...groups: string[]) => string;
}

const RULES: readonly MaskRule[] = [
  {
    // -----BEGIN RSA PRIVATE KEY----- ... -----END RSA PRIVATE KEY----- (or to the end of a cut line).
    name: 'pem-private-key',
    pattern: /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g,
    replace: (_m, kind: string) => `-----BEGIN ${kind}PRIVATE KEY-----${MASK}-----END ${kind}PRIVATE KEY-----`,
  },
  {
    // scheme://user:password@host keeps the scheme, user and host.
    name: 'url-credentials',
    pattern: /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:/@]+):([^\s/@]+)@/gi,
    replace: (_m, scheme: string, user: string, pass: string) => (pass === MASK ? _m : `${scheme}${user}:${MASK}@`),
  },
  {
    // Authorization: Bearer <token> / Basic <base64>. A token has a digit or a symbol, or is
    // long: "Basic authentication" is a phrase, not a credential.
    name: 'bearer-token',
    pattern: /\b(Bearer|Basic)(\s+)([A-Za-z0-9._~+/=-]{8,})/g,
    replace: (m, kind: string, space: string, token: string) => (/[0-9._~+/=-]/.test(token) || token.length >= 20 ? `${kind}${space}${MASK}` : m),
  },
  {
    // A JWT: three base64url segments, the first a JSON header ({"... = eyJ).
    name: 'jwt',
    pattern: /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g,
    replace: () => MASK,
  },
  {
    // AWS access key ids of long-term (AKIA) and temporary (ASIA) credentials.
    name: 'aws-access-key-id',
    pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g,
    replace: () => MASK,
  },
  {
    // JSON: "password": "value" (any secret key name), quotes kept so the record stays JSON-like.
    name: 'json-secret-pair',
    pattern: new RegExp(String.raw`("${SECRET_KEY}"\s*:\s*")((?:[^"\\]|\\.)*)(")`, 'gi'),
    replace: (_m, head: string, value: string, tail: string) => (value === '' ? _m : `${head}${MASK}${tail}`),
  },
  {
    // key=value, key: value, 'key': 'value' (aws_secret_access_key=..., api_key: ..., ?token=...).
    // Not after ':' or '/' (the `secret:` of a Secrets Manager ARN is a resource type) and not an
    // error name (`TokenExpiredError: jwt expired` is a diagnosis, not a credential).
    name: 'secret-pair',
    pattern: new RegExp(String.raw`(?<![:/])\b(${SECRET_KEY})(\\?['"]?\s*[=:]\s*)(\\?['"]?)(\[MASKED\]|[^\s'",;&}\]\\]+)`, 'gi'),
    replace: (m, key: string, sep: string, quote: string, value: string) => (
      value === MASK || isNotASecret(value) || isNotASecretKey(key) ? m : `${key}${sep}${quote}${MASK}`),
  },
];

/**
 * Values after a secret-looking key that are not secrets: a diagnosis needs them, and masking
 * them would hide facts ("token: undefined", "password: null", "Authorization: Bearer" handled
 * above, a masked value).
 */
function isNotASecret(value: string): boolean {
  return /^(?:null|undefined|none|true|false|\[MASKED\]|\*+|Bearer|Basic)$/i.test(value);
}

/**
 * Key-like words that name no secret: error types, host names (`secretsmanager.<region>.amazonaws.com:`)
 * and the IAM service prefix of `secretsmanager:GetSecretValue`.
 */
function isNotASecretKey(key: string): boolean {
  return /(?:error|exception)$/i.test(key) || /amazonaws|\.(?:com|net|org|io)$/i.test(key) || /^secretsmanager$/i.test(key);
}

/** Mask every credential in `text`; text without credentials comes back unchanged. */
export function maskSecrets(text: string): string {
  let out = text;
  for (const rule of RULES) out = out.replace(rule.pattern, rule.replace as (substring: string, ...args: any[]) => string);
  return out;
}

/** The names of the rules, for tests and documentation. */
export const MASK_RULE_NAMES: readonly string[] = RULES.map((r) => r.name);
