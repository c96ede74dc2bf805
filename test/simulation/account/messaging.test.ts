/**
 * The simulated SNS Publish with `MessageStructure: 'json'`, as
 * https://docs.aws.amazon.com/sns/latest/api/API_Publish.html describes it: a JSON object with a
 * string `default`, other keys per protocol, the whole call refused when it does not parse.
 */
import { MessagingService } from '../../../src/simulation/account/messaging-service';
import { VirtualClock } from '../../../src/simulation/clock';
import { SeededRandom } from '../../../src/simulation/random';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:t';

function service(): MessagingService {
  return new MessagingService(new VirtualClock(Date.parse('2026-11-28T12:00:00.000Z')), new SeededRandom(1));
}

describe('simulated SNS Publish with MessageStructure json', () => {
  test('records the default entry as the message and each protocol entry; ignores keys that are no protocol and non-string values', () => {
    const sns = service();
    sns.publish({
      TopicArn: TOPIC,
      Subject: 's',
      MessageStructure: 'json',
      Message: JSON.stringify({ default: '{"type":"REPAIRED"}', email: 'text for people', https: '{"version":"1.0"}', info: 'not a protocol', sqs: 42 }),
    });
    expect(sns.messages[0]).toMatchObject({
      message: '{"type":"REPAIRED"}',
      json: { type: 'REPAIRED' },
      protocols: { default: '{"type":"REPAIRED"}', email: 'text for people', https: '{"version":"1.0"}' },
    });
    expect(sns.messages[0].protocols).not.toHaveProperty('info');
    expect(sns.messages[0].protocols).not.toHaveProperty('sqs');
  });

  test.each([
    ['no default entry', JSON.stringify({ email: 'x' }), 'No default entry in JSON message body'],
    ['a default that is no string', JSON.stringify({ default: { type: 'X' } }), 'No default entry in JSON message body'],
    ['a message that is no JSON', 'plain text', 'JSON message body failed to parse'],
    ['a JSON array', '["x"]', 'JSON message body failed to parse'],
  ])('fails with InvalidParameter on %s, and records nothing', (_label, message, text) => {
    const sns = service();
    expect(() => sns.publish({ TopicArn: TOPIC, MessageStructure: 'json', Message: message })).toThrow(expect.objectContaining({ name: 'InvalidParameterException', message: expect.stringContaining(text) }));
    expect(sns.messages).toEqual([]);
  });

  test('fails with InvalidParameter on a MessageStructure other than json', () => {
    expect(() => service().publish({ TopicArn: TOPIC, MessageStructure: 'xml', Message: '{"default":"x"}' })).toThrow(expect.objectContaining({ name: 'InvalidParameterException' }));
  });

  test('without MessageStructure the message is recorded as sent', () => {
    const sns = service();
    sns.publish({ TopicArn: TOPIC, Message: 'hello' });
    expect(sns.messages[0]).toMatchObject({ message: 'hello' });
    expect(sns.messages[0].protocols).toBeUndefined();
  });
});
