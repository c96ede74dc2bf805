import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { MASK, maskSecrets } from '../../../src/core/logs/mask';

describe('maskSecrets: each credential pattern', () => {
  test.each([
    ['URL credentials', 'connecting to postgres://app:s3cr3t-Pa55@db.internal:5432/orders', 'connecting to postgres://app:[MASKED]@db.internal:5432/orders', 's3cr3t-Pa55'],
    ['password= pair', 'login failed user=bob password=hunter2 retry=3', 'login failed user=bob password=[MASKED] retry=3', 'hunter2'],
    ['passwd: pair', 'config passwd: Tr0ub4dor&3', 'config passwd: [MASKED]&3', 'Tr0ub4dor'],
    ['secret= pair', 'client_secret=9f8e7d6c5b4a', 'client_secret=[MASKED]', '9f8e7d6c5b4a'],
    ['token= in a query string', 'GET /callback?code=1&token=abcDEF123456&x=1', 'GET /callback?code=1&token=[MASKED]&x=1', 'abcDEF123456'],
    ['api_key pair', "calling partner api_key='k-123-456-789'", "calling partner api_key='[MASKED]'", 'k-123-456-789'],
    ['Python dict', "settings {'password': 'pa$$w0rd', 'user': 'x'}", "settings {'password': '[MASKED]', 'user': 'x'}", 'pa$$w0rd'],
    ['JSON "password": "..."', '{"user":"bob","password":"p@ss \\"quoted\\" word","ok":true}', '{"user":"bob","password":"[MASKED]","ok":true}', 'quoted'],
    ['escaped JSON in a text line', 'payload={\\"apiKey\\":\\"abcd-1234-efgh\\"}', 'payload={\\"apiKey\\":\\"[MASKED]\\"}', 'abcd-1234-efgh'],
    ['AWS access key id (long-term)', 'using AKIAIOSFODNN7EXAMPLE for s3', `using ${MASK} for s3`, 'AKIAIOSFODNN7EXAMPLE'],
    ['AWS access key id (temporary)', 'creds ASIAY34FZKBOKMUTVV7A expired', `creds ${MASK} expired`, 'ASIAY34FZKBOKMUTVV7A'],
    ['AWS secret access key', 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'aws_secret_access_key = [MASKED]', 'wJalrXUtnFEMI'],
    ['bearer token', 'headers: {"Authorization":"Bearer 0a1b2c3d4e5f6a7b8c9d"}', 'headers: {"Authorization":"[MASKED]"}', '0a1b2c3d4e5f'],
    ['bearer token in text', 'sending Authorization Bearer abc.def-123 to api', 'sending Authorization Bearer [MASKED] to api', 'abc.def-123'],
    ['basic auth header', 'Authorization: Basic dXNlcjpwYXNzd29yZA==', 'Authorization: Basic [MASKED]', 'dXNlcjpwYXNzd29yZA'],
    ['JWT', 'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U rejected', `token ${MASK} rejected`, 'eyJzdWIi'],
    ['PEM private key', 'key loaded: -----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq\nabc\n-----END RSA PRIVATE KEY----- done', 'key loaded: -----BEGIN RSA PRIVATE KEY-----[MASKED]-----END RSA PRIVATE KEY----- done', 'MIIEowIBAAKCAQEA7bq'],
    ['PEM private key cut off by the line limit', '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC', '-----BEGIN PRIVATE KEY-----[MASKED]-----END PRIVATE KEY-----', 'MIIEvQIBADANBgkq'],
  ])('%s', (_name, input, expected, secret) => {
    const masked = maskSecrets(input);
    expect(masked).toBe(expected);
    expect(masked).not.toContain(secret);
    // Idempotent: masking masked text changes nothing.
    expect(maskSecrets(masked)).toBe(masked);
  });
});

describe('maskSecrets: ordinary log text is unchanged, so diagnosis still works', () => {
  test.each([
    'REPORT RequestId: 3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c\tDuration: 2.59 ms\tBilled Duration: 3 ms\tMemory Size: 256 MB\tMax Memory Used: 255 MB\tInit Duration: 180.21 ms',
    'START RequestId: 3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c Version: $LATEST',
    'RequestId: 3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c Error: Runtime exited with error: signal: killed\nRuntime.ExitError',
    '2026-11-20T10:48:01.123Z 3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c Task timed out after 3.00 seconds',
    '<--- JS stacktrace --->\nFATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
    'Traceback (most recent call last):\n  File "/var/task/app.py", line 12, in handler\n    data = json.loads(body)\nMemoryError',
    'java.lang.OutOfMemoryError: Java heap space\n\tat com.example.orders.Handler.handleRequest(Handler.java:42)',
    'AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/orders-role/orders is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf',
    'TokenExpiredError: jwt expired',
    'AuthorizationError: missing scope',
    'Error: getaddrinfo ENOTFOUND secretsmanager.us-east-1.amazonaws.com',
    'calling arn:aws:lambda:us-east-1:123456789012:function:orders:live with trace Root=1-5e1b4151-5ac6c58f5b1e2b3c4d5e6f70',
    'password reset email sent to user 42; token: null',
    'Basic authentication required for /admin',
    '{"level":"ERROR","requestId":"0c94198a-1e5c-42c6-aafc-d8a177d8c82a","errorType":"Runtime.OutOfMemory","record":{"metrics":{"maxMemoryUsedMB":1024,"memorySizeMB":1024}}}',
  ])('%s', (line) => {
    expect(maskSecrets(line)).toBe(line);
  });

  test('every log line of the samples, fixtures and the labelled corpus is unchanged', () => {
    const root = join(__dirname, '..', '..', '..');
    const dirs = [join(root, 'samples'), join(root, 'test', 'core', 'fixtures'), join(root, 'test', 'corpus', 'incidents')];
    let lines = 0;
    const changed: string[] = [];
    for (const dir of dirs) {
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
        const doc = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { logs?: { message: string }[]; request?: { logs?: { message: string }[] } };
        for (const l of doc.logs ?? doc.request?.logs ?? []) {
          lines++;
          if (maskSecrets(l.message) !== l.message) changed.push(`${file}: ${l.message.slice(0, 120)}`);
        }
      }
    }
    expect(lines).toBeGreaterThan(5000);
    expect(changed).toEqual([]);
  });
});
