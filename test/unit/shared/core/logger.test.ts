import { memoryLogger } from '../../../../shared/core/logger';

test('log lines are Cloud Logging JSON with severity, message and inherited fields', () => {
  const log = memoryLogger();
  log.child({ eventId: 'e1', trigger: 'healthAlert' }).warn('region drained', { region: 'us-east4' });
  expect(log.entries).toHaveLength(1);
  expect(log.entries[0]).toMatchObject({
    severity: 'WARNING',
    message: 'region drained',
    eventId: 'e1',
    region: 'us-east4',
  });
});

test('secrets never reach a log line', () => {
  const log = memoryLogger();
  log.info('push received', {
    headers: { authorization: 'Bearer abc.def.ghi' },
    oidcToken: 'x',
    nested: { apiToken: 'y' },
  });
  const line = JSON.stringify(log.entries[0]);
  expect(line).not.toContain('abc.def.ghi');
  expect(line).not.toContain('"x"');
  expect(line).not.toContain('"y"');
  expect(line).toContain('[redacted]');
});
