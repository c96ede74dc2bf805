/**
 * `lambda-remediation diagnose --function NAME [--region R] [--since 30m]`: the workflow's own
 * collector and diagnosis, run read-only against a deployed function with the caller's
 * credentials, printing the diagnosis as JSON, so an operator can ask "what would it do right
 * now?" before trusting it. Nothing is written anywhere: no table, no topic, no update.
 */
import { bedrockLimitsFromEnv } from '../knowledge/limits';
import { setClients } from '../runtime/clients';
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
`;

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
 * CLI dispatcher passes them). Resolves to the exit code: 0 printed a diagnosis, 1 AWS refused or
 * failed, 2 bad usage.
 */
export async function runLiveDiagnose(args: LiveDiagnoseArgs | readonly string[], io: LiveDiagnoseIo): Promise<number> {
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
    const err = e as Error;
    io.stderr(`lambda-remediation diagnose: ${err.name}: ${err.message}\n`);
    return 1;
  }
}
