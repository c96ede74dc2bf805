import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetFunctionConfigurationCommand, LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { awsError, functionConfigOf, logEventsOf, metricDataOf, sample, SECRET, setEnv } from './support';
import { parseSince, runLiveDiagnose } from '../../src/cli/live-diagnose';
import { setClients } from '../../src/runtime/clients';

const lambda = mockClient(LambdaClient);
const cw = mockClient(CloudWatchClient);
const logs = mockClient(CloudWatchLogsClient);
const oom = sample('oom-killed-nodejs');
let restoreEnv: () => void;

function io() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (s: string) => { out.stdout += s; }, stderr: (s: string) => { out.stderr += s; } } };
}

beforeEach(() => {
  setClients();
  restoreEnv = setEnv({ TABLE_NAME: undefined, TOPIC_ARN: undefined });
  for (const m of [lambda, cw, logs]) m.reset();
  lambda.on(GetFunctionConfigurationCommand).resolves(functionConfigOf(oom));
  cw.on(GetMetricDataCommand).resolves(metricDataOf(oom));
  logs.on(FilterLogEventsCommand).resolves(logEventsOf(oom.logs));
});
afterEach(() => restoreEnv());

describe('lambda-remediation diagnose --function (live, read-only)', () => {
  test('prints the diagnosis and what the workflow would do, changing nothing', async () => {
    const { out, io: cli } = io();
    const code = await runLiveDiagnose(['--function', 'ingest-2', '--since', '2h'], cli);
    expect(code).toBe(0);
    const printed = JSON.parse(out.stdout);
    expect(printed).toMatchObject({
      functionName: 'ingest-2',
      isMemoryIssue: true,
      category: 'OUT_OF_MEMORY',
      decidedBy: 'rules',
      wouldDo: { action: 'REPAIR', targetMemoryMb: 384 },
      collected: { logEvents: 40 },
    });
    expect(lambda).toHaveReceivedCommandTimes(UpdateFunctionConfigurationCommand, 0);
    expect(out.stdout).not.toContain(SECRET);
  });

  test('accepts parsed arguments too', async () => {
    const { out, io: cli } = io();
    expect(await runLiveDiagnose({ functionName: 'ingest-2' }, cli)).toBe(0);
    expect(JSON.parse(out.stdout).wouldDo.action).toBe('REPAIR');
  });

  test('fails with exit code 1 and the AWS error when access is denied', async () => {
    lambda.on(GetFunctionConfigurationCommand).rejects(awsError('AccessDeniedException', 'not authorized', 403));
    const { out, io: cli } = io();
    expect(await runLiveDiagnose(['--function', 'ingest-2'], cli)).toBe(1);
    expect(out.stderr).toContain('AccessDeniedError: lambda:GetFunctionConfiguration on ingest-2 failed');
  });

  test('fails with exit code 2 on bad usage', async () => {
    const { out, io: cli } = io();
    expect(await runLiveDiagnose(['--since', '30m'], cli)).toBe(2);
    expect(out.stderr).toContain('--function NAME is required');
    expect(await runLiveDiagnose(['--function', 'x', '--since', 'yesterday-ish'], cli)).toBe(2);
  });

  test('parseSince', () => {
    const now = new Date('2026-11-20T12:00:00.000Z');
    expect(parseSince('30m', now).toISOString()).toBe('2026-11-20T11:30:00.000Z');
    expect(parseSince('1d', now).toISOString()).toBe('2026-11-19T12:00:00.000Z');
    expect(parseSince('2026-11-20T10:00:00Z', now).toISOString()).toBe('2026-11-20T10:00:00.000Z');
    expect(() => parseSince('2026-11-21T10:00:00Z', now)).toThrow('--since must look like');
  });
});
