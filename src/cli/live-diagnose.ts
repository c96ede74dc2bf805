/**
 * `lambda-remediation diagnose --function NAME [--region R] [--since 30m]`: the workflow's own
 * collector and diagnosis, run read-only against a deployed function with the caller's
 * credentials, printing the diagnosis as JSON, so an operator can ask "what would it do right
 * now?" before trusting it. Nothing is written anywhere: no table, no topic, no update.
 */
import { bedrockLimitsFromEnv } from '../knowledge/limits';
import { client, setClients } from '../runtime/clients';
import { collectEvidence } from '../runtime/collector';
import { decide, recordedResult, runDiagnosis } from '../runtime/diagnosis-engine';
import { effectivePolicy, envOptional } from '../runtime/env';
import { DEFAULT_WORKFLOW_POLICY, ENV, POLICY_SIZE_DEFAULTS } from '../workflow/contract';

/** The live diagnosis's options. */
export interface LiveDiagnoseArgs {
  readonly functionName: string;
  readonly region?: string;
  /** Look-back: `30m`, `2h`, `1d`, or an ISO-8601 start time. @default '30m' */
  readonly since?: string;
}

/** Where the command prints. */
export interface LiveDiagnoseIo {
  stdout(s: string): void;
  stderr(s: string): void;
}

/** A bad `--since` or missing `--function`. */
export class LiveDiagnoseUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LiveDiagnoseUsageError';
  }
}

const HELP = `usage: lambda-remediation diagnose --function NAME [--region R] [--since 30m]

Collects the function's metrics, REPORT and error lines and configuration (never its environment
variables) with your credentials, runs the same diagnosis as the workflow, and prints it as JSON.
Read-only: it changes nothing. Bedrock is used when BEDROCK_MODEL_ID (or AGENT_ID and
AGENT_ALIAS_ID) is set in your environment.

Credentials and region come from the usual places (AWS_PROFILE, AWS_ACCESS_KEY_ID, AWS_REGION,
~/.aws/config, SSO); --region overrides the region. The caller needs lambda:GetFunctionConfiguration
on the function, cloudwatch:GetMetricData, and logs:FilterLogEvents on its log group.
`;

/** What the caller must be allowed to do, for the access-denied message. */
const READ_RIGHTS = 'lambda:GetFunctionConfiguration on the function, cloudwatch:GetMetricData, and logs:FilterLogEvents on its log group';

/** Names of the errors AWS answers when it does not accept the credentials themselves. */
const REJECTED_CREDENTIALS = /\b(UnrecognizedClientException|InvalidClientTokenId|ExpiredToken(Exception)?|InvalidSignatureException|SignatureDoesNotMatch)\b/;

/**
 * Where the AWS session comes from, checked before any call so that a missing credential or
 * region is named as such (the SDK reports both only when a call fails, and the collector would
 * call that a service failure).
 */
export interface AwsSessionCheck {
  /** The region the calls go to; throws when none is configured. */
  region(): Promise<string>;
  /** Resolves when credentials are found; throws (the SDK's CredentialsProviderError) otherwise. */
  credentials(): Promise<unknown>;
}

/** The SDK's own resolution, as the Lambda client will do it. */
function sdkSession(): AwsSessionCheck {
  const config = client('lambda').config;
  return { region: () => config.region(), credentials: () => config.credentials() };
}

/** Optional seams for tests. */
export interface LiveDiagnoseDependencies {
  /** @default the AWS SDK's region and credential provider chains */
  readonly session?: () => AwsSessionCheck;
}

/** Parse `30m` / `2h` / `1d` / ISO time into a start time before `now`. */
export function parseSince(since: string, now: Date): Date {
  const m = since.trim().match(/^(\d+)\s*([smhd])$/);
  if (m) {
    const unit = { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(now.getTime() - Number(m[1]) * unit * 1000);
  }
  const t = Date.parse(since);
  if (!Number.isNaN(t) && t < now.getTime()) return new Date(t);
  throw new LiveDiagnoseUsageError(`--since must look like 30m, 2h, 1d or a past ISO-8601 time, got '${since}'`);
}

function parseArgv(argv: readonly string[]): LiveDiagnoseArgs | 'help' {
  const out: { functionName?: string; region?: string; since?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') return 'help';
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('--')) throw new LiveDiagnoseUsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--function') out.functionName = value();
    else if (flag === '--region') out.region = value();
    else if (flag === '--since') out.since = value();
    else throw new LiveDiagnoseUsageError(`unknown option '${a}'`);
  }
  if (!out.functionName) throw new LiveDiagnoseUsageError('--function NAME is required');
  return out as LiveDiagnoseArgs;
}

/**
 * Run the live diagnosis. Accepts parsed arguments, or the raw arguments after `diagnose` (as the
 * CLI dispatcher passes them). Resolves to the exit code: 0 printed a diagnosis; 2 bad usage or a
 * problem the caller fixes (no credentials, no region, credentials refused, access denied, no such
 * function); 1 AWS or the network failed.
 */
export async function runLiveDiagnose(
  args: LiveDiagnoseArgs | readonly string[], io: LiveDiagnoseIo, deps: LiveDiagnoseDependencies = {},
): Promise<number> {
  let parsed: LiveDiagnoseArgs;
  try {
    const p = Array.isArray(args) ? parseArgv(args as readonly string[]) : (args as LiveDiagnoseArgs);
    if (p === 'help') {
      io.stdout(HELP);
      return 0;
    }
    if (!p.functionName) throw new LiveDiagnoseUsageError('--function NAME is required');
    parsed = p;
  } catch (e) {
    if (e instanceof LiveDiagnoseUsageError) {
      io.stderr(`lambda-remediation diagnose: ${e.message}\n${HELP}`);
      return 2;
    }
    throw e;
  }
  const now = new Date();
  let start: Date;
  try {
    start = parseSince(parsed.since ?? '30m', now);
  } catch (e) {
    io.stderr(`lambda-remediation diagnose: ${(e as Error).message}\n`);
    return 2;
  }
  if (parsed.region) setClients({}, { region: parsed.region });
  // Missing credentials and region are the caller's to fix: one line each, exit 2.
  const session = (deps.session ?? sdkSession)();
  const problems: string[] = [];
  try {
    await session.credentials();
  } catch (e) {
    problems.push(`no AWS credentials found (${firstLine(e)}): sign in with 'aws sso login' or 'aws configure', or set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`);
  }
  let region: string | undefined;
  try {
    region = await session.region();
  } catch {
    problems.push('no AWS region: pass --region (for example --region eu-west-1) or set AWS_REGION');
  }
  if (problems.length > 0 || region === undefined) {
    for (const p of problems) io.stderr(`lambda-remediation diagnose: ${p}\n`);
    return 2;
  }
  try {
    // Read-only: without a REMEDIATION_POLICY of their own, operators see what the construct's
    // documented defaults would do (the handlers themselves never fall back to defaults).
    const policy = effectivePolicy(parsed.functionName, {
      ...process.env,
      [ENV.POLICY]: envOptional(ENV.POLICY) ?? JSON.stringify(POLICY_SIZE_DEFAULTS),
      [ENV.DRY_RUN]: 'true',
    });
    const evidence = await collectEvidence({
      functionName: parsed.functionName,
      alarmDetails: { alarmName: 'live-diagnose', metricName: 'Errors', threshold: 1, evaluationPeriods: 1 },
      alarmTime: now.toISOString(),
      windowStart: start,
      windowEnd: now,
      maxLogEvents: DEFAULT_WORKFLOW_POLICY.maxLogEvents,
      maxLogBytes: DEFAULT_WORKFLOW_POLICY.maxLogBytes,
    });
    const engine = await runDiagnosis(evidence.request, policy, {
      modelId: envOptional(ENV.BEDROCK_MODEL_ID),
      knowledgeBaseId: envOptional(ENV.KNOWLEDGE_BASE_ID),
      agentId: envOptional(ENV.AGENT_ID),
      agentAliasId: envOptional(ENV.AGENT_ALIAS_ID),
      limits: bedrockLimitsFromEnv(process.env),
      sessionId: `live-${now.getTime()}`,
    });
    const current = evidence.config.summary.memorySize;
    const decision = decide(engine.result, current, policy, engine.rules);
    io.stdout(`${JSON.stringify({
      ...recordedResult(engine.result, decision, current, policy),
      wouldDo: decision,
      window: { start: start.toISOString(), end: now.toISOString() },
      collected: { logEvents: evidence.logEventCount, metricPoints: evidence.metricPointCount, logsTruncated: evidence.logsTruncated },
      ...(evidence.incompleteReasons.length > 0 ? { incompleteReasons: evidence.incompleteReasons } : {}),
      ...(engine.model ? { model: engine.model } : {}),
    })}\n`);
    return 0;
  } catch (e) {
    const { message, code } = explain(e, parsed.functionName, region);
    io.stderr(`lambda-remediation diagnose: ${message}\n`);
    return code;
  }
}

/**
 * One line for a failed collection: what went wrong and what to do. Problems the caller can fix
 * (credentials refused, access denied, no such function) exit 2; anything else (AWS or the
 * network failing) exits 1.
 */
export function explain(e: unknown, functionName: string, region: string): { message: string; code: number } {
  const err = e as Error;
  const text = `${err?.name ?? 'Error'}: ${firstLine(err)}`;
  if (err?.name === 'CredentialsProviderError' || /CredentialsProviderError/.test(text)) {
    return { code: 2, message: `no AWS credentials found (${firstLine(err)}): sign in with 'aws sso login' or 'aws configure', or set AWS_PROFILE` };
  }
  if (REJECTED_CREDENTIALS.test(text)) {
    return { code: 2, message: `AWS rejected your credentials (${firstLine(err)}): refresh them ('aws sso login', or new access keys) and try again` };
  }
  if (err?.name === 'AccessDeniedError') {
    return { code: 2, message: `access denied (${firstLine(err)}): the caller needs ${READ_RIGHTS}` };
  }
  if (err?.name === 'FunctionNotFoundError') {
    return { code: 2, message: `function '${functionName}' not found in ${region}: check the name, or pass --region with the region it runs in` };
  }
  return { code: 1, message: text };
}

function firstLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0];
}
