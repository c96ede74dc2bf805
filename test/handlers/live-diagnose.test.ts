import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
const oom = sample('oom-killed-python');
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

  test('fails when access is denied: one line naming the call and the rights needed, exit 2', async () => {
    lambda.on(GetFunctionConfigurationCommand).rejects(awsError('AccessDeniedException', 'not authorized', 403));
    const { out, io: cli } = io();
    expect(await runLiveDiagnose(['--function', 'ingest-2'], cli)).toBe(2);
    expect(out.stderr).toBe('lambda-remediation diagnose: access denied (lambda:GetFunctionConfiguration on ingest-2 failed: AccessDeniedException: not authorized): '
      + 'the caller needs lambda:GetFunctionConfiguration on the function, cloudwatch:GetMetricData, and logs:FilterLogEvents on its log group\n');
    expect(out.stdout).toBe('');
  });

  test('fails when the function does not exist: one line naming it and the region, exit 2', async () => {
    lambda.on(GetFunctionConfigurationCommand).rejects(awsError('ResourceNotFoundException', 'Function not found: arn:aws:lambda:eu-west-1:123456789012:function:x', 404));
    const { out, io: cli } = io();
    expect(await runLiveDiagnose(['--function', 'x', '--region', 'eu-west-1'], cli)).toBe(2);
    expect(out.stderr).toBe("lambda-remediation diagnose: function 'x' not found in eu-west-1: check the name, or pass --region with the region it runs in\n");
  });

  test('fails when AWS refuses the credentials themselves (expired, unknown key): exit 2, how to refresh them', async () => {
    lambda.on(GetFunctionConfigurationCommand).rejects(awsError('UnrecognizedClientException', 'The security token included in the request is invalid.', 403));
    const { out, io: cli } = io();
    expect(await runLiveDiagnose(['--function', 'ingest-2'], cli)).toBe(2);
    expect(out.stderr).toMatch(/^lambda-remediation diagnose: AWS rejected your credentials \(.*UnrecognizedClientException.*\): refresh them/);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('fails with exit 1 and one line when AWS itself fails', async () => {
    lambda.on(GetFunctionConfigurationCommand).rejects(awsError('ServiceException', 'internal error', 500));
    const { out, io: cli } = io();
    expect(await runLiveDiagnose(['--function', 'ingest-2'], cli)).toBe(1);
    expect(out.stderr).toBe('lambda-remediation diagnose: ServiceUnavailableError: lambda:GetFunctionConfiguration on ingest-2 failed: ServiceException: internal error\n');
  });

  describe('GIVEN no AWS configuration at all (the SDK\'s own provider chains, nothing mocked)', () => {
    let restore: () => void;
    beforeEach(() => {
      const empty = join(mkdtempSync(join(tmpdir(), 'no-aws-')), 'none');
      restore = setEnv({
        AWS_REGION: undefined,
        AWS_DEFAULT_REGION: undefined,
        AWS_PROFILE: undefined,
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_SESSION_TOKEN: undefined,
        AWS_CONFIG_FILE: empty,
        AWS_SHARED_CREDENTIALS_FILE: empty,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
        AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
        AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
      });
      setClients();
    });
    afterEach(() => restore());

    test('fails with one line naming the missing credentials and the missing region, exit 2, no call made', async () => {
      const { out, io: cli } = io();
      expect(await runLiveDiagnose(['--function', 'x'], cli)).toBe(2);
      const lines = out.stderr.trim().split('\n');
      expect(lines).toEqual([
        expect.stringMatching(/^lambda-remediation diagnose: no AWS credentials found \(.+\): sign in with 'aws sso login' or 'aws configure', or set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY$/),
        'lambda-remediation diagnose: no AWS region: pass --region (for example --region eu-west-1) or set AWS_REGION',
      ]);
      expect(out.stderr).not.toMatch(/\n\s+at /);
      expect(out.stderr).not.toContain('ServiceUnavailable');
      expect(lambda).toHaveReceivedCommandTimes(GetFunctionConfigurationCommand, 0);
    });

    test('with --region: only the credentials line', async () => {
      const { out, io: cli } = io();
      expect(await runLiveDiagnose(['--function', 'x', '--region', 'eu-west-1'], cli)).toBe(2);
      expect(out.stderr.trim().split('\n')).toEqual([expect.stringContaining('no AWS credentials found')]);
    });

    test('with credentials but no region: only the region line', async () => {
      const restoreKeys = setEnv({ AWS_REGION: undefined, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' });
      const { out, io: cli } = io();
      try {
        expect(await runLiveDiagnose(['--function', 'x'], cli)).toBe(2);
      } finally {
        restoreKeys();
      }
      expect(out.stderr).toBe('lambda-remediation diagnose: no AWS region: pass --region (for example --region eu-west-1) or set AWS_REGION\n');
    });
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
