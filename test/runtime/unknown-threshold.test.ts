/**
 * An alarm's threshold or value may be unknown (a contributor event carries neither, and the alarm
 * may not answer): every reader says "unknown", never 0.
 */
import { summarizeMetrics } from '../../src/core/metrics/summary';
import { displayNumber, DiagnosisResult } from '../../src/core/model';
import { parseDiagnosisRequest } from '../../src/core/request';
import { DEFAULT_BEDROCK_LIMITS } from '../../src/knowledge/limits';
import { buildUserPrompt } from '../../src/runtime/model-diagnosis';

const REQUEST = {
  functionName: 'orders',
  alarmDetails: { alarmName: 'team-fleet-Errors', metricName: 'Errors', evaluationPeriods: 1 },
  metrics: [{ timestamp: '2026-11-20T10:00:00.000Z', value: 0 }, { timestamp: '2026-11-20T10:01:00.000Z', value: 3 }],
  logs: [],
};
const RULES: DiagnosisResult = {
  functionName: 'orders',
  isMemoryIssue: false,
  confidence: 0.5,
  reasoning: 'r',
  recommendedAction: 'NO_ACTION',
  recommendedMemoryIncrease: 0,
  recommendedMemorySize: 512,
  evidencePoints: [],
  category: 'UNKNOWN',
  decidedBy: 'rules',
};

test('a diagnosis request without a threshold is valid, and keeps it absent', () => {
  const parsed = parseDiagnosisRequest(REQUEST);
  expect(parsed.alarmDetails).toEqual({ alarmName: 'team-fleet-Errors', metricName: 'Errors', evaluationPeriods: 1 });
});

test('fails when a threshold is there but not a number', () => {
  expect(() => parseDiagnosisRequest({ ...REQUEST, alarmDetails: { ...REQUEST.alarmDetails, threshold: 'high' } })).toThrow(/alarmDetails\.threshold/);
});

test('the metric summary counts no breach of an unknown threshold (where 0 would count every point)', () => {
  expect(summarizeMetrics(parseDiagnosisRequest(REQUEST)).alarmBreaches).toBe(0);
  expect(summarizeMetrics(parseDiagnosisRequest({ ...REQUEST, alarmDetails: { ...REQUEST.alarmDetails, threshold: 0 } })).alarmBreaches).toBe(2);
});

test('the model is told the threshold is unknown', () => {
  const prompt = buildUserPrompt(parseDiagnosisRequest(REQUEST), RULES, [], DEFAULT_BEDROCK_LIMITS);
  expect(prompt).toContain('"threshold":"unknown"');
});

test('people read "unknown"', () => {
  expect(displayNumber(undefined)).toBe('unknown');
  expect(displayNumber(0)).toBe('0');
});
