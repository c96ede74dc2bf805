import { parseScenario } from '../../src/simulation/scenario';

const base = {
  name: 'x-y',
  description: 'd',
  durationMinutes: 10,
  expect: {},
  functions: [{ functionName: 'orders', runtime: 'nodejs22.x', memorySizeMb: 256, timeoutSeconds: 30, workload: { invocationsPerMinute: 0, memoryNeedMb: 100, cpuMsAt1Vcpu: 10 } }],
};

describe('scenario fields for log groups and mute rules', () => {
  test('GIVEN logGroupName, neverInvokedBefore and alarmMutes THEN accepted', () => {
    const s = parseScenario({ ...base, functions: [{ ...base.functions[0], logGroupName: '/custom/orders', neverInvokedBefore: true }], account: { alarmMutes: [{ alarmNamePrefix: 'lar-', fromMinute: 0, toMinute: 30 }] } }, 't.json');
    expect(s.functions[0].logGroupName).toBe('/custom/orders');
    expect(s.account?.alarmMutes).toHaveLength(1);
  });

  test('GIVEN a log group starting with aws/ or an empty mute window THEN each is named', () => {
    expect(() => parseScenario({ ...base, functions: [{ ...base.functions[0], logGroupName: 'aws/orders' }], account: { alarmMutes: [{ alarmNamePrefix: 'lar-', fromMinute: 5, toMinute: 5 }] } }, 't.json'))
      .toThrow(/functions\[0\]\.logGroupName must be .* got 'aws\/orders'; account\.alarmMutes\[0\] needs whole minutes with 0 <= fromMinute < toMinute, got 5\.\.5/);
  });

  test('GIVEN a non-boolean neverInvokedBefore THEN the type is named with the value', () => {
    expect(() => parseScenario({ ...base, functions: [{ ...base.functions[0], neverInvokedBefore: 'yes' }] }, 't.json'))
      .toThrow('t.json: functions[0].neverInvokedBefore must be true or false, got "yes"');
  });
});

describe('the strict scenario schema', () => {
  const fn = base.functions[0];
  const parse = (s: unknown) => () => parseScenario(s, 'incident.json');

  test('GIVEN a misspelt field at any depth THEN an error names the field, its path and the file', () => {
    expect(parse({ ...base, durationMinute: 10 })).toThrow("incident.json: unknown field 'durationMinute'");
    expect(parse({ ...base, account: { faults: [{ service: 'lambda', operaton: 'UpdateFunctionConfiguration', error: 'ThrottlingException' }] } }))
      .toThrow("unknown field 'account.faults[0].operaton' (allowed: service, operation, error, times, afterCalls, fromMinute, effect, handler)");
    expect(parse({ ...base, functions: [{ ...fn, workload: { ...fn.workload, logLines: [{ text: 'x', every: 2, secrt: 'y' }] } }] }))
      .toThrow("unknown field 'functions[0].workload.logLines[0].secrt'");
    expect(parse({ ...base, expect: { functions: { orders: { finalMemory: 768 } } } })).toThrow("unknown field 'expect.functions.orders.finalMemory'");
  });

  test('GIVEN every fault field THEN accepted, with the alias in both forms', () => {
    const s = parseScenario({
      ...base,
      functions: [{ ...fn, alias: { name: 'live', latestDiffersFromAlias: true }, workload: { ...fn.workload, logLines: [{ text: 'password=abcdefgh1', every: 3, secret: 'abcdefgh1', level: 'WARN' }] } },
        { ...fn, functionName: 'billing', alias: 'live' }],
      account: {
        faults: [{ service: 'lambda', operation: 'UpdateFunctionConfiguration', error: 'TimeoutError', effect: 'applyThenFail', times: 1, afterCalls: 0, fromMinute: 0 }],
        deploys: [{ atMinute: 9, functionName: 'orders', memorySizeMb: 768, codeChange: true, moveAlias: false }],
      },
      handlerFaults: [{ handler: 'finalize', effect: 'crash', times: 1, afterCalls: 1, afterOperation: 'sns:Publish' }],
      executionFaults: [{ effect: 'abort', atMinute: 12 }],
      expect: { locksHeldAtEnd: 0, secretsNotIn: ['prompt', 'executionLog'], functions: { orders: { aliasVersionCodeChanged: false } } },
    }, 't.json');
    expect(s.handlerFaults).toHaveLength(1);
  });

  test('GIVEN values the simulated AWS cannot produce or the scenario cannot mean THEN each is named', () => {
    expect(parse({ ...base, account: { faults: [{ service: 'lambda', operation: 'UpdateFunctionConfiguration', error: 'ProvisionedThroughputExceededException' }] } }))
      .toThrow("account.faults[0].error 'ProvisionedThroughputExceededException' is not an error lambda returns");
    expect(parse({ ...base, account: { faults: [{ service: 'ses', operation: 'SendEmail', error: 'ThrottlingException' }] } }))
      .toThrow('account.faults[0].service must be one of lambda, cloudwatch, logs, dynamodb, sns, events, bedrock, states, got "ses"');
    expect(parse({ ...base, account: { deploys: [{ atMinute: 3, functionName: 'nope', moveAlias: true }] } }))
      .toThrow("account.deploys[0].functionName 'nope' is not a function of the scenario");
    expect(parse({ ...base, account: { deploys: [{ atMinute: 3, functionName: 'orders', moveAlias: true }] } }))
      .toThrow("account.deploys[0].moveAlias needs an alias on function 'orders'");
    expect(parse({ ...base, handlerFaults: [{ handler: 'normalise', effect: 'crash' }] })).toThrow('handlerFaults[0].handler must be one of normalize, collect');
    expect(parse({ ...base, handlerFaults: [{ handler: 'finalize', effect: 'crash', afterOperation: 'Publish' }] })).toThrow("handlerFaults[0].afterOperation must look like 'sns:Publish', got 'Publish'");
    expect(parse({ ...base, functions: [{ ...fn, workload: { ...fn.workload, logLines: [{ text: 'token=abc', every: 1, secret: 'abcdefghij' }] } }] }))
      .toThrow("functions[0].workload.logLines[0].secret must be a substring of text of at least 8 characters, got 'abcdefghij'");
    expect(parse({ ...base, expect: { secretsNotIn: ['logs'] } })).toThrow('expect.secretsNotIn[0] must be one of prompt, records, notifications, events, executionLog, got "logs"');
    expect(parse({ ...base, expect: { functions: { orders: { aliasVersionCodeChanged: true } } } })).toThrow('expect.functions.orders.aliasVersionCodeChanged needs an alias on the function');
  });
});

describe('scenario fields for custom analyzers', () => {
  const withAnalyzers = (analyzers: unknown[]) => ({ ...base, stack: { diagnosis: { analyzers, analyzerTimeoutSeconds: 5 } } });

  test('GIVEN an analyzer with its script THEN accepted', () => {
    const s = parseScenario(withAnalyzers([{ functionName: 'team-analyzer', mode: 'slow', latencyMs: 20000, timeoutSeconds: 10 }]), 't.json');
    expect(s.stack?.diagnosis?.analyzers?.[0]).toMatchObject({ functionName: 'team-analyzer', mode: 'slow' });
  });

  test('GIVEN an analyzer named like a target, a bad mode or an unknown field THEN each is named', () => {
    expect(() => parseScenario(withAnalyzers([{ functionName: 'orders' }]), 't.json')).toThrow("stack.diagnosis.analyzers[0].functionName 'orders' is also a target function or another analyzer");
    expect(() => parseScenario(withAnalyzers([{ functionName: 'team-analyzer', mode: 'sometimes' }]), 't.json')).toThrow('stack.diagnosis.analyzers[0].mode must be one of answer, error, slow, invalid');
    expect(() => parseScenario(withAnalyzers([{ functionName: 'team-analyzer', anwser: {} }]), 't.json')).toThrow("unknown field 'stack.diagnosis.analyzers[0].anwser'");
  });
});

describe('scenario fields for drift detection', () => {
  test('GIVEN a trail, the Config recorder, driftDetection and drift expectations THEN accepted', () => {
    const s = parseScenario({
      ...base,
      stack: { driftDetection: { configRule: true } },
      account: { cloudTrailTrail: true, configRecorder: true, deploys: [{ atMinute: 5, functionName: 'orders', memorySizeMb: 256 }] },
      expect: { records: { drift: 1 }, configCompliance: { orders: 'NON_COMPLIANT' } },
    }, 't.json');
    expect(s.account?.cloudTrailTrail).toBe(true);
    expect(s.expect.configCompliance).toEqual({ orders: 'NON_COMPLIANT' });
  });

  test('GIVEN a compliance Config cannot report THEN it is named', () => {
    expect(() => parseScenario({ ...base, expect: { configCompliance: { orders: 'INSUFFICIENT_DATA' } } }, 't.json'))
      .toThrow('expect.configCompliance.orders must be one of COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE, got "INSUFFICIENT_DATA"');
  });
});

describe('scenario fields for OpsItems and the manual repair runbook', () => {
  test('GIVEN opsItems, the runbook, operator runs and their expectations THEN accepted', () => {
    const s = parseScenario({
      ...base,
      stack: { opsItems: { priority: 2 }, manualRepairRunbook: true },
      operatorRunbooks: [{ atMinute: 12, functionName: 'orders', memorySizeMb: 768, reason: 'confirmed' }],
      expect: { opsItems: { count: 1, contain: ['review'], records: 1 }, automationStatuses: ['Success'] },
    }, 't.json');
    expect(s.operatorRunbooks).toHaveLength(1);
  });

  test('GIVEN an operator run without its size THEN named', () => {
    expect(() => parseScenario({ ...base, operatorRunbooks: [{ atMinute: 12, functionName: 'orders' }] }, 't.json')).toThrow('operatorRunbooks[0].memorySizeMb is required');
  });
});
