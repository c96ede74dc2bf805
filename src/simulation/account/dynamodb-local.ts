/**
 * A real DynamoDB API on loopback: `dynalite` started in-process on 127.0.0.1 (port 0), tables
 * created from the synthesized template's key schema, and a document client pointed at it whose
 * calls are recorded and counted as real I/O by the scheduler. Conditional writes behave as in
 * AWS (`ConditionalCheckFailedException`).
 */
import type { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  CreateTableCommandInput,
  DeleteTableCommand,
  DynamoDBClient,
  ListTablesCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { VirtualScheduler } from '../scheduler';
import type { CallPipeline } from './call-pipeline';

// dynalite ships no type declarations; this is the part of its API used here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;

/** A table as declared in the template (AWS::DynamoDB::Table). */
export interface TableSpec {
  readonly tableName: string;
  readonly keySchema: Array<{ AttributeName: string; KeyType: 'HASH' | 'RANGE' }>;
  readonly attributeDefinitions: Array<{ AttributeName: string; AttributeType: 'S' | 'N' | 'B' }>;
  readonly globalSecondaryIndexes?: Array<{ IndexName: string; KeySchema: Array<{ AttributeName: string; KeyType: 'HASH' | 'RANGE' }>; Projection: { ProjectionType: string } }>;
}

/** A running dynalite server. */
export class LocalDynamoDb {
  /** Start dynalite on 127.0.0.1 with an OS-assigned port. */
  public static async start(): Promise<LocalDynamoDb> {
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return new LocalDynamoDb(server);
  }

  public readonly endpoint: string;
  private readonly clients: DynamoDBClient[] = [];
  /** A plain client for the simulation's own use (not recorded). */
  public readonly admin: DynamoDBClient;

  private constructor(private readonly server: Server) {
    const port = (server.address() as AddressInfo).port;
    this.endpoint = `http://127.0.0.1:${port}`;
    this.admin = new DynamoDBClient(clientConfig(this.endpoint));
  }

  /** Drop every table and create `tables` afresh. */
  public async resetTables(tables: TableSpec[]): Promise<void> {
    const existing = (await this.admin.send(new ListTablesCommand({}))).TableNames ?? [];
    for (const name of existing) await this.admin.send(new DeleteTableCommand({ TableName: name }));
    for (const t of tables) {
      const input: CreateTableCommandInput = {
        TableName: t.tableName,
        KeySchema: t.keySchema,
        AttributeDefinitions: t.attributeDefinitions,
        BillingMode: 'PAY_PER_REQUEST',
        ...(t.globalSecondaryIndexes?.length ? {
          GlobalSecondaryIndexes: t.globalSecondaryIndexes.map((g) => ({ IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: { ProjectionType: g.Projection.ProjectionType as 'ALL' } })),
        } : {}),
      };
      await this.admin.send(new CreateTableCommand(input));
    }
  }

  /** Every item of a table, unmarshalled. */
  public async scanAll(tableName: string): Promise<Array<Record<string, unknown>>> {
    const doc = DynamoDBDocumentClient.from(this.admin);
    const items: Array<Record<string, unknown>> = [];
    let start: Record<string, any> | undefined;
    do {
      const page = await doc.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /**
   * The document client the handlers use: pointed at dynalite, every call made through the
   * account's call pipeline (the SDK retry in virtual time, IAM, the scenario's DynamoDB faults,
   * the record) and counted as real I/O of the calling execution while it is at dynalite.
   */
  public documentClient(pipeline: CallPipeline, scheduler: VirtualScheduler): DynamoDBDocumentClient {
    const base = new DynamoDBClient({ ...clientConfig(this.endpoint), maxAttempts: 5 });
    this.clients.push(base);
    base.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
        // The hook sits above the SDK's retry middleware: the pipeline runs the client's retry
        // for injected faults (the real middleware below only ever sees dynalite's answers).
        const { output } = await pipeline.call(base, 'DynamoDB', operation, args.input, async () => {
          const end = scheduler.beginIo();
          try {
            return await next(args);
          } finally {
            end();
          }
        });
        return output;
      },
      { step: 'initialize', name: 'simulationCallPipeline' },
    );
    return DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true } });
  }

  public async stop(): Promise<void> {
    this.admin.destroy();
    // Keep-alive sockets would hold the server (and the process) open.
    for (const c of this.clients) c.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function clientConfig(endpoint: string) {
  return {
    endpoint,
    region: 'us-east-1',
    // dynalite does not check signatures; the SDK still needs credentials to sign.
    credentials: { accessKeyId: 'simulated', secretAccessKey: 'simulated' },
  };
}

/** Table specs from a synthesized template's AWS::DynamoDB::Table resources (names resolved by `nameOf`). */
export function tablesFromTemplate(
  template: { Resources?: Record<string, { Type: string; Properties?: Record<string, any> }> },
  nameOf: (logicalId: string) => string,
): TableSpec[] {
  const out: TableSpec[] = [];
  for (const [id, r] of Object.entries(template.Resources ?? {})) {
    if (r.Type !== 'AWS::DynamoDB::Table' && r.Type !== 'AWS::DynamoDB::GlobalTable') continue;
    const p = r.Properties ?? {};
    out.push({
      tableName: typeof p.TableName === 'string' ? p.TableName : nameOf(id),
      keySchema: p.KeySchema,
      attributeDefinitions: p.AttributeDefinitions,
      globalSecondaryIndexes: p.GlobalSecondaryIndexes,
    });
  }
  return out;
}
