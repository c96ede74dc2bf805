import { HUB_ENV } from '../../src/hub/hub-contract';
import { currentRemote, functionKey, inTarget, isAdmitted, recordPlace, targetOfInput } from '../../src/runtime/target-account';
import { lockKey } from '../../src/workflow/contract';

const SAVED = { ...process.env };
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in SAVED)) delete process.env[k];
  Object.assign(process.env, SAVED);
});

function onHub(admitted = '111111111111'): void {
  process.env[HUB_ENV.HOME_ACCOUNT] = '123456789012';
  process.env[HUB_ENV.ADMITTED_ACCOUNTS] = admitted;
  process.env.AWS_REGION = 'us-east-1';
}

const SPOKE_EVENT = { event: { source: 'aws.cloudwatch', account: '111111111111', region: 'eu-west-1', detail: {} } };

describe('where a handler acts (hub and spokes)', () => {
  test('GIVEN no hub WHEN a spoke-looking event arrives THEN nothing is remote: keys, records and clients stay as in a single stack', () => {
    delete process.env[HUB_ENV.HOME_ACCOUNT];
    inTarget(targetOfInput(SPOKE_EVENT), () => {
      expect(currentRemote()).toBeUndefined();
      expect(functionKey('orders')).toBe('orders');
      expect(lockKey('orders')).toEqual({ pk: 'LOCK#orders', sk: 'LOCK' });
      expect(recordPlace()).toEqual({});
    });
  });

  test('GIVEN a hub WHEN an event from a spoke is handled THEN the run acts there and its keys name account and region', () => {
    onHub();
    inTarget(targetOfInput(SPOKE_EVENT), () => {
      expect(currentRemote()).toEqual({ account: '111111111111', region: 'eu-west-1' });
      expect(lockKey('orders')).toEqual({ pk: 'LOCK#111111111111/eu-west-1/orders', sk: 'LOCK' });
      expect(recordPlace()).toEqual({ account: '111111111111', region: 'eu-west-1' });
    }, 'normalize');
  });

  test('GIVEN a hub WHEN its own account and region alarm THEN the run is home (no role to assume), records still say where', () => {
    onHub();
    inTarget(targetOfInput({ event: { source: 'aws.cloudwatch', account: '123456789012', region: 'us-east-1' } }), () => {
      expect(currentRemote()).toBeUndefined();
      expect(functionKey('orders')).toBe('orders');
      expect(recordPlace()).toEqual({ account: '123456789012', region: 'us-east-1' });
    });
  });

  test('GIVEN the hub\'s own account in another region WHEN it alarms THEN that region is remote too (the spoke role of that region)', () => {
    onHub();
    inTarget({ account: '123456789012', region: 'eu-west-1' }, () => expect(currentRemote()).toEqual({ account: '123456789012', region: 'eu-west-1' }));
  });

  test('normalize\'s output decides for later steps, before the raw event', () => {
    expect(targetOfInput({ alarm: { account: '222222222222', region: 'us-west-2' }, ...SPOKE_EVENT })).toEqual({ account: '222222222222', region: 'us-west-2' });
    expect(targetOfInput({ event: { source: 'lambda-auto-remediation', account: '111111111111', region: 'eu-west-1' } })).toEqual({ account: '111111111111', region: 'eu-west-1' });
    expect(targetOfInput({ event: { source: 'aws.states', account: '111111111111', region: 'eu-west-1' } })).toBeUndefined();
  });

  test('fails to admit an account the hub does not list; admits its own, the listed ones, and any with *', () => {
    onHub('111111111111,222222222222');
    expect(isAdmitted('333333333333')).toBe(false);
    expect(isAdmitted('222222222222')).toBe(true);
    expect(isAdmitted('123456789012')).toBe(true);
    onHub('*');
    expect(isAdmitted('333333333333')).toBe(true);
  });
});
