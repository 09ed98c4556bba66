import { invalid } from '../core/api-error';

/** Google list paging: `maxResults` and an opaque `pageToken` (here, the offset as text). */
export function page<T>(items: T[], query: URLSearchParams): { items: T[]; nextPageToken?: string } {
  const maxRaw = query.get('maxResults');
  let max = items.length;
  if (maxRaw !== null) {
    const n = Number(maxRaw);
    if (!Number.isInteger(n) || n <= 0) throw invalid(`Invalid value for 'parameters.maxResults': '${maxRaw}'`);
    max = n;
  }
  const token = query.get('pageToken');
  let start = 0;
  if (token !== null && token !== '') {
    const n = Number(token);
    if (!/^\d+$/.test(token) || n > items.length) throw invalid(`Invalid value for 'parameters.pageToken': '${token}'`);
    start = n;
  }
  const end = Math.min(items.length, start + max);
  const out: { items: T[]; nextPageToken?: string } = { items: items.slice(start, end) };
  if (end < items.length) out.nextPageToken = String(end);
  return out;
}
