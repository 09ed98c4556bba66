import { requestIdFor, uuidv5 } from '../../../../shared/core/idempotency';

test('uuidv5 matches the RFC 4122 reference vector (DNS namespace, "www.example.com")', () => {
  expect(uuidv5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
    '2ed6657d-e927-568b-95e1-2665a8aea6a2',
  );
});

test('requestIdFor is stable per event and write, distinct otherwise, and a valid v5 UUID', () => {
  const a = requestIdFor('evt-1', 'lb:patch');
  expect(a).toBe(requestIdFor('evt-1', 'lb:patch'));
  expect(a).not.toBe(requestIdFor('evt-2', 'lb:patch'));
  expect(a).not.toBe(requestIdFor('evt-1', 'dns:change'));
  expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});
