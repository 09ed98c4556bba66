import { z } from 'zod';
import { formatIssues, formatPath } from '../../../../shared/config';

describe('formatIssues', () => {
  it('formats paths like regions[2].maxReplicas', () => {
    expect(formatPath(['regions', 2, 'maxReplicas'])).toBe('regions[2].maxReplicas');
    expect(formatPath([])).toBe('(root)');
    expect(formatPath(['a', 'b c'])).toBe('a["b c"]');
  });

  it('renders each issue kind in words', () => {
    const s = z.strictObject({
      n: z.int(),
      e: z.enum(['x', 'y']),
      a: z.array(z.string()).min(2),
      s: z.string().min(1),
    });
    const r = s.safeParse({ n: 1.5, e: 'q', a: [], s: '', extra: 1 }, { reportInput: true });
    expect(r.success).toBe(false);
    if (r.success) return;
    expect(formatIssues(r.error.issues).sort()).toEqual([
      'a: must have at least 2 items',
      'e: expected one of "x" | "y", received "q"',
      'extra: unknown key',
      'n: expected integer, received 1.5',
      's: must not be empty',
    ]);
  });
});
