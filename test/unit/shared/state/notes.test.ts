import {
  applyIncident,
  emptyBackendNote,
  readAutoscalerNote,
  readBackendNote,
  writeAutoscalerNote,
  writeBackendNote,
} from '../../../../shared/state/notes';

test('a backend note round-trips through a description and stays under Google’s 2048-char limit', () => {
  let note = emptyBackendNote();
  for (let i = 0; i < 100; i++)
    note = applyIncident(note, {
      id: `incident-${i}-${'x'.repeat(40)}`,
      state: i % 2 ? 'closed' : 'open',
      at: 1_700_000_000_000 + i,
    });
  note.healthySince = 1_700_000_123_000;
  const text = writeBackendNote(note);
  expect(text.length).toBeLessThan(2048);
  const back = readBackendNote(text);
  expect(back.healthySince).toBe(1_700_000_123_000);
  expect(Object.keys(back.open).length).toBeGreaterThan(0);
});

test('foreign or broken descriptions read as empty, never throw', () => {
  expect(readBackendNote('hand-written by an operator')).toEqual(emptyBackendNote());
  expect(readBackendNote('georoute/v1 {not json')).toEqual(emptyBackendNote());
  expect(readBackendNote(undefined)).toEqual(emptyBackendNote());
  expect(readAutoscalerNote('georoute/v1 []')).toEqual({ lastScaleOutAt: null, lastScaleInAt: null });
});

test('incidents: duplicates are no-ops and a close before its open wins', () => {
  const opened = applyIncident(emptyBackendNote(), { id: 'a', state: 'open', at: 10 });
  expect(applyIncident(opened, { id: 'a', state: 'open', at: 20 })).toEqual(opened);
  const closedFirst = applyIncident(emptyBackendNote(), { id: 'b', state: 'closed', at: 30 });
  const lateOpen = applyIncident(closedFirst, { id: 'b', state: 'open', at: 5 });
  expect(lateOpen.open).toEqual({});
  expect(lateOpen.closed).toEqual({ b: 30 });
  const closed = applyIncident(opened, { id: 'a', state: 'closed', at: 40 });
  expect(closed.open).toEqual({});
});

test('autoscaler note round-trips', () => {
  const text = writeAutoscalerNote({ lastScaleOutAt: 5, lastScaleInAt: null });
  expect(readAutoscalerNote(text)).toEqual({ lastScaleOutAt: 5, lastScaleInAt: null });
});
