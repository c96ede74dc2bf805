import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  AgentActionEvent,
  AgentActionsConfigurationError,
  functionNameOf,
  handler,
  maskSecrets,
} from '../../src/knowledge/agent-actions.lambda';

const lambda = mockClient(LambdaClient);
const cloudWatch = mockClient(CloudWatchClient);
const logs = mockClient(CloudWatchLogsClient);

function event(fn: string, parameters: Record<string, string>): AgentActionEvent {
  return {
    messageVersion: '1.0',
    agent: { name: 'remediation', id: 'AGENT12345', alias: 'ALIAS12345', version: '1' },
    sessionId: 's-1',
    actionGroup: 'read-function-telemetry',
    function: fn,
    parameters: Object.entries(parameters).map(([name, value]) => ({ name, type: name === 'minutes' ? 'integer' : 'string', value })),
    sessionAttributes: { diagnosisId: 'd-1' },
    promptSessionAttributes: {},
  };
}

function body(response: Awaited<ReturnType<typeof handler>>): Record<string, unknown> {
  return JSON.parse(response.response.functionResponse.responseBody.TEXT.body);
}

beforeEach(() => {
  lambda.reset();
  cloudWatch.reset();
  logs.reset();
  process.env.ALLOWED_FUNCTIONS = 'orders-api,arn:aws:lambda:us-east-1:111122223333:function:thumbnails';
});

afterAll(() => {
  delete process.env.ALLOWED_FUNCTIONS;
});

describe('agent action handler: allow-list', () => {
  test('GIVEN a function that is not a target WHEN the agent asks for its configuration THEN it is refused and AWS is never called', async () => {
    const res = await handler(event('getFunctionConfiguration', { functionName: 'payroll' }));
    expect(res.response.functionResponse.responseState).toBe('REPROMPT');
    expect(body(res)).toEqual({ error: "function 'payroll' is not under remediation management and may not be read" });
    expect(lambda).not.toHaveReceivedAnyCommand();
  });

  test('GIVEN the ARN of an unlisted function WHEN the agent asks for its logs THEN it is refused', async () => {
    const res = await handler(event('getRecentLogs', { functionName: 'arn:aws:lambda:us-east-1:111122223333:function:payroll:prod' }));
    expect(res.response.functionResponse.responseState).toBe('REPROMPT');
    expect(logs).not.toHaveReceivedAnyCommand();
  });

  test('GIVEN an unknown action function WHEN called THEN it is refused naming the available ones', async () => {
    const res = await handler(event('updateFunctionConfiguration', { functionName: 'orders-api' }));
    expect(res.response.functionResponse.responseState).toBe('REPROMPT');
    expect(body(res).error).toBe("unknown function 'updateFunctionConfiguration'; available: getMetrics, getRecentLogs, getFunctionConfiguration");
  });

  test('fails when ALLOWED_FUNCTIONS is not set', async () => {
    delete process.env.ALLOWED_FUNCTIONS;
    await expect(handler(event('getMetrics', { functionName: 'orders-api' }))).rejects.toThrow(AgentActionsConfigurationError);
  });

  test('GIVEN a bad look-back WHEN asked THEN the agent is told the allowed range', async () => {
    const res = await handler(event('getMetrics', { functionName: 'orders-api', minutes: '100000' }));
    expect(body(res).error).toBe("parameter minutes must be a whole number from 1 to 1440, got '100000'");
    expect(cloudWatch).not.toHaveReceivedAnyCommand();
  });

  test.each([
    ['orders-api', 'orders-api'],
    ['orders-api:live', 'orders-api'],
    ['arn:aws:lambda:eu-west-1:111122223333:function:orders-api:7', 'orders-api'],
  ])('GIVEN %s THEN the function name is %s', (input, name) => {
    expect(functionNameOf(input)).toBe(name);
  });
});

describe('agent action handler: getFunctionConfiguration', () => {
  test('GIVEN a target with environment variables WHEN its configuration is read THEN only safe fields are returned, never the environment', async () => {
    lambda.on(GetFunctionConfigurationCommand, { FunctionName: 'thumbnails' }).resolves({
      FunctionName: 'thumbnails',
      Runtime: 'nodejs22.x',
      MemorySize: 512,
      Timeout: 30,
      Architectures: ['arm64'],
      EphemeralStorage: { Size: 1024 },
      LastUpdateStatus: 'Successful',
      Environment: { Variables: { DB_PASSWORD: 'hunter2-secret', API_KEY: 'sk-live-123' } },
      KMSKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/abc',
      Role: 'arn:aws:iam::111122223333:role/thumbnails',
    });
    const res = await handler(event('getFunctionConfiguration', { functionName: 'thumbnails' }));
    expect(res.response.functionResponse.responseState).toBeUndefined();
    expect(body(res)).toEqual({
      FunctionName: 'thumbnails',
      Runtime: 'nodejs22.x',
      MemorySize: 512,
      Timeout: 30,
      Architectures: ['arm64'],
      LastUpdateStatus: 'Successful',
      EphemeralStorageSize: 1024,
    });
    expect(res.response.functionResponse.responseBody.TEXT.body).not.toContain('hunter2');
    expect(res.response.functionResponse.responseBody.TEXT.body).not.toContain('Environment');
    expect(res.sessionAttributes).toEqual({ diagnosisId: 'd-1' });
    expect(res.response).toMatchObject({ actionGroup: 'read-function-telemetry', function: 'getFunctionConfiguration' });
  });

  test('GIVEN Lambda denies access WHEN read THEN the agent gets the error marked incomplete, not a failure', async () => {
    lambda.on(GetFunctionConfigurationCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    const res = await handler(event('getFunctionConfiguration', { functionName: 'orders-api' }));
    expect(res.response.functionResponse.responseState).toBeUndefined();
    expect(body(res)).toEqual({ error: 'AccessDeniedException: not authorized', incomplete: true });
  });
});

describe('agent action handler: getMetrics', () => {
  test('GIVEN metric data WHEN read for 30 minutes THEN one-minute series per statistic are returned for that function only', async () => {
    cloudWatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'errors', Timestamps: [new Date('2026-11-28T10:00:00Z'), new Date('2026-11-28T10:01:00Z')], Values: [0, 4] },
        { Id: 'durationMax', Timestamps: [new Date('2026-11-28T10:01:00Z')], Values: [29_950] },
      ],
    });
    const res = await handler(event('getMetrics', { functionName: 'orders-api', minutes: '30' }));
    expect(body(res)).toMatchObject({
      functionName: 'orders-api',
      periodSeconds: 60,
      minutes: 30,
      incomplete: false,
      series: {
        errors: [{ timestamp: '2026-11-28T10:00:00.000Z', value: 0 }, { timestamp: '2026-11-28T10:01:00.000Z', value: 4 }],
        durationMax: [{ timestamp: '2026-11-28T10:01:00.000Z', value: 29_950 }],
      },
    });
    const input = cloudWatch.commandCalls(GetMetricDataCommand)[0].args[0].input;
    expect(input.MetricDataQueries).toHaveLength(7);
    for (const q of input.MetricDataQueries ?? []) {
      expect(q.MetricStat?.Metric?.Dimensions).toEqual([{ Name: 'FunctionName', Value: 'orders-api' }]);
    }
    expect((input.EndTime as Date).getTime() - (input.StartTime as Date).getTime()).toBe(30 * 60_000);
  });
});

describe('agent action handler: getRecentLogs', () => {
  test('GIVEN many log lines WHEN REPORT lines are read THEN the newest are kept within the line limit and secrets are masked', async () => {
    process.env.BEDROCK_MAX_LOG_LINES = '3';
    try {
      logs.on(FilterLogEventsCommand).resolves({
        events: [
          { timestamp: Date.parse('2026-11-28T10:00:00Z'), message: 'REPORT RequestId: a Duration: 10 ms Memory Size: 512 MB Max Memory Used: 200 MB' },
          { timestamp: Date.parse('2026-11-28T10:01:00Z'), message: 'REPORT RequestId: b Duration: 12 ms Memory Size: 512 MB Max Memory Used: 300 MB' },
          { timestamp: Date.parse('2026-11-28T10:02:00Z'), message: 'connecting with password=hunter2 key AKIAABCDEFGHIJKLMNOP' },
          { timestamp: Date.parse('2026-11-28T10:03:00Z'), message: 'REPORT RequestId: c Duration: 14 ms Memory Size: 512 MB Max Memory Used: 512 MB\n' },
        ],
      });
      const res = await handler(event('getRecentLogs', { functionName: 'orders-api', kind: 'report', minutes: '15' }));
      const out = body(res);
      expect(out.lineCount).toBe(3);
      expect(out.truncated).toBe(true);
      expect(out.kind).toBe('REPORT');
      expect(out.logs).toBe([
        '2026-11-28T10:01:00.000Z REPORT RequestId: b Duration: 12 ms Memory Size: 512 MB Max Memory Used: 300 MB',
        '2026-11-28T10:02:00.000Z connecting with password=[masked] key [masked]',
        '2026-11-28T10:03:00.000Z REPORT RequestId: c Duration: 14 ms Memory Size: 512 MB Max Memory Used: 512 MB',
      ].join('\n'));
      expect(out.note).toContain('untrusted');
      expect(logs).toHaveReceivedCommandWith(FilterLogEventsCommand, {
        logGroupName: '/aws/lambda/orders-api',
        filterPattern: '?"REPORT RequestId" ?"platform.report" ?"INIT_REPORT" ?"platform.initReport"',
        limit: 3,
      });
    } finally {
      delete process.env.BEDROCK_MAX_LOG_LINES;
    }
  });

  test('GIVEN an unknown log kind WHEN asked THEN the agent is re-prompted with the allowed kinds', async () => {
    const res = await handler(event('getRecentLogs', { functionName: 'orders-api', kind: 'DEBUG' }));
    expect(res.response.functionResponse.responseState).toBe('REPROMPT');
    expect(body(res).error).toBe("parameter kind must be REPORT, ERRORS or ALL, got 'DEBUG'");
  });
});

describe('maskSecrets', () => {
  test.each([
    ['Authorization: Bearer eyJhbGciOi.abc.def', 'Authorization: [masked] [masked]'],
    ['{"api_key": "sk-live-123", "n": 1}', '{"api_key": "[masked]", "n": 1}'],
    ['AccessKeyId ASIAABCDEFGHIJKLMNOP used', 'AccessKeyId [masked] used'],
    ['Max Memory Used: 512 MB', 'Max Memory Used: 512 MB'],
  ])('GIVEN %s THEN %s', (line, masked) => {
    expect(maskSecrets(line)).toBe(masked);
  });
});

describe('agent action handler: configuration', () => {
  test('fails when a limit in the environment is invalid, before any AWS call', async () => {
    process.env.BEDROCK_MAX_LOG_LINES = '0';
    try {
      await expect(handler(event('getRecentLogs', { functionName: 'orders-api' }))).rejects.toThrow('maxLogLines must be a whole number from 1 to 1000, got 0');
      expect(logs).not.toHaveReceivedAnyCommand();
    } finally {
      delete process.env.BEDROCK_MAX_LOG_LINES;
    }
  });
});
