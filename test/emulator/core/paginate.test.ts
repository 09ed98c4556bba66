import { COMPUTE_PAGING, DNS_PAGING, monitoringPaging, PUBSUB_PAGING, paginate } from '../../../emulator/core/paginate';

const items = Array.from({ length: 7 }, (_, i) => i);
const q = (params: Record<string, string>) => new URLSearchParams(params);

/** Walks every page of a list and returns what it saw. */
function walk(spec: typeof COMPUTE_PAGING, size: string): number[][] {
  const pages: number[][] = [];
  let token: string | undefined;
  do {
    const page = paginate(items, q({ [spec.sizeParam]: size, ...(token ? { pageToken: token } : {}) }), spec, 'L');
    pages.push(page.items);
    token = page.nextPageToken;
  } while (token);
  return pages;
}

test('one paginator walks a list page by page in every API vocabulary', () => {
  expect(walk(COMPUTE_PAGING, '3')).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  expect(walk(DNS_PAGING, '4')).toEqual([
    [0, 1, 2, 3],
    [4, 5, 6],
  ]);
  expect(walk(monitoringPaging(10_000), '7')).toEqual([items]);
  expect(paginate(items, { pageSize: 2, pageToken: '' }, PUBSUB_PAGING, 'L').items).toEqual([0, 1]);
});

test('defaults and limits: Compute 500 (0 = default, 501 refused), DNS refuses 0, Monitoring clamps', () => {
  const many = Array.from({ length: 1200 }, (_, i) => i);
  expect(paginate(many, q({}), COMPUTE_PAGING, 'L').items).toHaveLength(500);
  expect(paginate(many, q({ maxResults: '0' }), COMPUTE_PAGING, 'L').items).toHaveLength(500);
  expect(() => paginate(many, q({ maxResults: '501' }), COMPUTE_PAGING, 'L')).toThrow(/Must be between 0 and 500/);
  expect(() => paginate(many, q({ maxResults: '0' }), DNS_PAGING, 'L')).toThrow(/parameters.maxResults/);
  expect(paginate(many, q({}), DNS_PAGING, 'L').items).toHaveLength(1200);
  expect(paginate(many, q({ pageSize: '5000' }), monitoringPaging(1000), 'L').items).toHaveLength(1000);
  expect(paginate(many, {}, PUBSUB_PAGING, 'L').items).toHaveLength(1000);
});

test('a page token only works for the list that issued it', () => {
  const { nextPageToken } = paginate(items, q({ maxResults: '2' }), COMPUTE_PAGING, 'list-a');
  expect(() => paginate(items, q({ pageToken: nextPageToken ?? '' }), COMPUTE_PAGING, 'list-b')).toThrow(/pageToken/);
  expect(() => paginate(items, q({ pageToken: 'garbage' }), DNS_PAGING, 'L')).toThrow(/parameters.pageToken/);
  expect(() => paginate(items, { pageToken: 'garbage' }, PUBSUB_PAGING, 'L')).toThrow('Invalid page token.');
});
