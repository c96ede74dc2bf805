/**
 * The case history of a function (issue 11): earlier incidents and what came of them, read by the
 * diagnose handler for the leak rule and the follow-up comparison, and written by finalize.
 *
 * Two sources, one shape (`PastCase`):
 * - with a knowledge base configured (`KNOWLEDGE_CASES_BUCKET`), the `cases/<function>/`
 *   documents finalize writes into its bucket: their metadata sidecars carry the figures
 *   (`src/knowledge/cases.ts`). Read with ListObjectsV2 and GetObject, not `Retrieve`: the history
 *   must be exact and current, and an ingestion job indexes a new case only minutes later;
 * - without one, the records table: the seed's repair records and diagnosis records of the
 *   function (`FUNCTION#<name>`), joined by execution.
 *
 * Reading is best effort for the diagnosis (a failure leaves the history empty, noted), and
 * writing a case is best effort for finalize: neither changes an outcome.
 */
import { BedrockAgentClient, StartIngestionJobCommand } from '@aws-sdk/client-bedrock-agent';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { client, registerClient } from './clients';
import { envOptional } from './env';
import { toNamedError } from './errors';
import { executionNameOf } from './executions';
import './store'; // registers the DynamoDB client
import { HISTORY } from '../core/history';
import type { PastCase } from '../core/model';
import { CASES_PREFIX, readCaseMetadata, RenderedCase } from '../knowledge/cases';
import { ENV, functionPk, RECORD_SORT_KEY_PREFIX } from '../workflow/contract';

registerClient('s3', (o) => new S3Client({ region: o.region, maxAttempts: 3 }));
registerClient('bedrockAgentBuild', (o) => new BedrockAgentClient({ region: o.region, maxAttempts: 2 }));

/** Where a function's case history is read from. */
export interface CaseHistorySource {
  /** `knowledge-base` (the `cases/` documents) or `table` (repair and diagnosis records). */
  readonly kind: 'knowledge-base' | 'table';
  /** The function's cases that ended at or after `since`, newest first, at most `HISTORY.maxCases`. */
  read(functionName: string, since: Date): Promise<PastCase[]>;
}

export { executionNameOf } from './executions';

/** The source the environment configures: the knowledge base's cases when its bucket is set, else the table. */
export function caseHistoryFromEnv(tableName: string, env: NodeJS.ProcessEnv = process.env): CaseHistorySource {
  const bucket = envOptional(ENV.CASES_BUCKET, env);
  if (bucket) return new KnowledgeBaseCaseHistory(bucket, envOptional(ENV.CASES_PREFIX, env) ?? CASES_PREFIX);
  return new TableCaseHistory(tableName);
}

/** The `cases/<function>/` documents of the knowledge-base bucket. */
export class KnowledgeBaseCaseHistory implements CaseHistorySource {
  public readonly kind = 'knowledge-base' as const;

  constructor(private readonly bucket: string, private readonly prefix: string = CASES_PREFIX) {}

  async read(functionName: string, since: Date): Promise<PastCase[]> {
    const prefix = `${this.prefix}${functionName}/`;
    const sidecars: Array<{ key: string; modified: number }> = [];
    let token: string | undefined;
    let pages = 0;
    do {
      let out;
      try {
        // https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html: up to 1,000 keys a page, in key order.
        out = await client('s3').send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      } catch (err) {
        throw toNamedError(err, `s3:ListBucket ${this.bucket}/${prefix}`);
      }
      for (const o of out.Contents ?? []) {
        const modified = o.LastModified ? new Date(o.LastModified).getTime() : 0;
        if (o.Key?.endsWith('.metadata.json') && modified >= since.getTime()) sidecars.push({ key: o.Key, modified });
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token && ++pages < 10);
    const newest = sidecars.sort((a, b) => b.modified - a.modified).slice(0, HISTORY.maxCases);
    const cases: PastCase[] = [];
    for (const s of newest) {
      let text: string;
      try {
        const out = await client('s3').send(new GetObjectCommand({ Bucket: this.bucket, Key: s.key }));
        text = (await out.Body?.transformToString('utf-8')) ?? '';
      } catch (err) {
        throw toNamedError(err, `s3:GetObject ${this.bucket}/${s.key}`);
      }
      const c = readCaseMetadata(text, functionName);
      if (c && Date.parse(c.at) >= since.getTime()) cases.push(c);
    }
    return cases.sort((a, b) => b.at.localeCompare(a.at));
  }
}

/** The repair and diagnosis records of the records table, joined by execution. */
export class TableCaseHistory implements CaseHistorySource {
  public readonly kind = 'table' as const;

  constructor(private readonly tableName: string) {}

  async read(functionName: string, since: Date): Promise<PastCase[]> {
    const [repairs, diagnoses] = await Promise.all([
      this.query(functionName, RECORD_SORT_KEY_PREFIX.REPAIR, since),
      this.query(functionName, RECORD_SORT_KEY_PREFIX.DIAGNOSIS, since),
    ]);
    const repairOf = new Map<string, Record<string, unknown>>();
    for (const r of repairs) if (typeof r.executionId === 'string' && !repairOf.has(r.executionId)) repairOf.set(r.executionId, r);
    const cases = new Map<string, PastCase>();
    for (const d of diagnoses) {
      if (typeof d.executionId !== 'string' || cases.has(d.executionId)) continue;
      const c = fromRecords(d, repairOf.get(d.executionId));
      if (c) cases.set(d.executionId, c);
    }
    // A repair whose diagnosis record is gone still counts as a raise.
    for (const [executionId, r] of repairOf) {
      if (cases.has(executionId)) continue;
      const c = fromRecords(undefined, r);
      if (c) cases.set(executionId, c);
    }
    return [...cases.values()].filter((c) => Date.parse(c.at) >= since.getTime())
      .sort((a, b) => b.at.localeCompare(a.at)).slice(0, HISTORY.maxCases);
  }

  private async query(functionName: string, prefix: string, since: Date): Promise<Array<Record<string, unknown>>> {
    try {
      // Sort keys are `<prefix><ISO time>#<id>`: BETWEEN from `since` to the end of the prefix ('~' sorts after digits).
      const out = await client('dynamo').send(new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': functionPk(functionName), ':from': `${prefix}${since.toISOString()}`, ':to': `${prefix}~` },
        ScanIndexForward: false,
        Limit: HISTORY.maxCases,
      }));
      return (out.Items ?? []) as Array<Record<string, unknown>>;
    } catch (err) {
      throw toNamedError(err, `dynamodb:Query ${prefix.replace('#', '')} records of ${functionName}`);
    }
  }
}

/** One case from a diagnosis record and the repair record of the same execution (either may be missing). */
function fromRecords(d: Record<string, unknown> | undefined, r: Record<string, unknown> | undefined): PastCase | undefined {
  const executionId = String((d ?? r)?.executionId ?? '');
  const num = (o: Record<string, unknown> | undefined, k: string) => (typeof o?.[k] === 'number' ? o[k] as number : undefined);
  const str = (o: Record<string, unknown> | undefined, k: string) => (typeof o?.[k] === 'string' && o[k] !== '' ? o[k] as string : undefined);
  const bool = (o: Record<string, unknown> | undefined, k: string) => (typeof o?.[k] === 'boolean' ? o[k] as boolean : undefined);
  const at = str(r, 'endTime') ?? str(d, 'endTime');
  const original = num(r, 'originalMemory') ?? num(d, 'memorySizeMb');
  if (!executionId || !at || original === undefined) return undefined;
  // Memory changed only when the repair's update went through and stayed.
  const raisedTo = r && str(r, 'status') === 'SUCCEEDED' ? num(r, 'newMemory') ?? original : original;
  const category = str(d, 'category') ?? str(r, 'category');
  const climbing = bool(d, 'memoryClimbing') ?? bool(r, 'memoryClimbing');
  const failures = num(d, 'memoryFailures');
  const invocations = num(d, 'invocations');
  return {
    caseId: executionNameOf(executionId),
    at,
    outcome: str(r, 'outcome') ?? str(r, 'status') ?? str(d, 'action') ?? 'UNKNOWN',
    ...(category ? { category } : {}),
    originalMemory: original,
    newMemory: raisedTo,
    ...(climbing !== undefined ? { memoryClimbing: climbing } : {}),
    ...(failures !== undefined ? { memoryFailures: failures } : {}),
    ...(invocations !== undefined ? { invocations } : {}),
  };
}

/**
 * Put one case document and its sidecar into the knowledge-base bucket, then start an ingestion
 * job of the cases data source so retrieval finds it (a job already running is not an error:
 * it or the next one indexes the case). Throws a named error naming what failed; the caller
 * decides that it is best effort.
 */
export async function writeCaseDocument(rendered: RenderedCase, env: NodeJS.ProcessEnv = process.env): Promise<{ ingestion: string }> {
  const bucket = envOptional(ENV.CASES_BUCKET, env);
  if (!bucket) throw new Error(`${ENV.CASES_BUCKET} is not set: no knowledge base to record cases in`);
  for (const [key, body, type] of [[rendered.documentKey, rendered.document, 'text/markdown'], [rendered.metadataKey, rendered.metadata, 'application/json']]) {
    try {
      await client('s3').send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: type }));
    } catch (err) {
      throw toNamedError(err, `s3:PutObject ${bucket}/${key}`);
    }
  }
  const knowledgeBaseId = envOptional(ENV.KNOWLEDGE_BASE_ID, env);
  const dataSourceId = envOptional(ENV.CASES_DATA_SOURCE_ID, env);
  if (!knowledgeBaseId || !dataSourceId) return { ingestion: 'not configured' };
  try {
    const out = await client('bedrockAgentBuild').send(new StartIngestionJobCommand({
      knowledgeBaseId, dataSourceId, description: `case ${rendered.documentKey}`.slice(0, 200),
    }));
    return { ingestion: out.ingestionJob?.ingestionJobId ?? 'started' };
  } catch (err) {
    // https://docs.aws.amazon.com/bedrock/latest/APIReference/API_agent_StartIngestionJob.html: ConflictException while a job runs.
    if ((err as { name?: string })?.name === 'ConflictException') return { ingestion: 'a job is already running' };
    throw toNamedError(err, `bedrock:StartIngestionJob ${knowledgeBaseId}/${dataSourceId}`);
  }
}
