import { ApiError } from './api-error';

/** One API's list paging: the name of its page-size parameter, its default and maximum, its errors. */
export interface PagingSpec {
  sizeParam: 'maxResults' | 'pageSize';
  /** Page size when none is given (or a size ≤ 0, where that means "the default"). */
  defaultSize: number;
  maxSize: number;
  /** A size above `maxSize` is refused (Compute) rather than served as `maxSize`. */
  refuseAbove?: boolean;
  /** A size ≤ 0 is refused (Cloud DNS) rather than meaning the default. */
  refuseNonPositive?: boolean;
  /** The API's answer to a bad page size (`param` = sizeParam) or page token (`param` = `pageToken`). */
  invalid(param: string, value: string): ApiError;
}

/**
 * Compute v1 `list` methods: "Acceptable values are 0 to 500, inclusive. (Default: 500)"
 * (https://cloud.google.com/compute/docs/reference/rest/v1/backendServices/list, same text on every list).
 */
export const COMPUTE_PAGING: PagingSpec = {
  sizeParam: 'maxResults',
  defaultSize: 500,
  maxSize: 500,
  refuseAbove: true,
  invalid: (param, value) =>
    param === 'pageToken'
      ? new ApiError(400, `Invalid value for field 'pageToken': '${value}'.`, { reason: 'invalid', location: param })
      : new ApiError(400, `Invalid value for field '${param}': '${value}'. Must be between 0 and 500.`, {
          reason: 'invalid',
          location: param,
        }),
};

/**
 * Cloud DNS: "If unspecified, the server decides how many results to return"
 * (https://cloud.google.com/dns/docs/reference/rest/v1/resourceRecordSets/list). The default and the
 * maximum are not documented: the twin returns everything unless asked for less.
 */
export const DNS_PAGING: PagingSpec = {
  sizeParam: 'maxResults',
  defaultSize: Number.POSITIVE_INFINITY,
  maxSize: Number.POSITIVE_INFINITY,
  refuseNonPositive: true,
  invalid: (param, value) => new ApiError(400, `Invalid value for 'parameters.${param}': '${value}'`),
};

/**
 * Monitoring v3 `pageSize`. Documented per method: metricDescriptors.list "The default and maximum
 * value is 10,000", timeSeries.list "If page_size is empty or more than 100,000 results, the effective
 * page_size is 100,000" (https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.timeSeries/list);
 * alertPolicies / notificationChannels "a reasonable value will be chosen by the service" (undocumented:
 * everything here).
 */
export function monitoringPaging(limit = Number.POSITIVE_INFINITY): PagingSpec {
  return {
    sizeParam: 'pageSize',
    defaultSize: limit,
    maxSize: limit,
    invalid: (param, value) =>
      ApiError.of(
        'INVALID_ARGUMENT',
        param === 'pageToken'
          ? `Field page_token had an invalid value of "${value}": Invalid page token`
          : `Invalid value at 'page_size' (TYPE_INT32), "${value}"`,
      ),
  };
}

/**
 * Pub/Sub `page_size`: "Optional. Maximum number of topics to return" (pubsub.proto); Google documents
 * no default nor maximum, the twin serves at most 1000.
 */
export const PUBSUB_PAGING: PagingSpec = {
  sizeParam: 'pageSize',
  defaultSize: 1000,
  maxSize: 1000,
  invalid: () => ApiError.of('INVALID_ARGUMENT', 'Invalid page token.'),
};

export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

/**
 * One page of `items` (already in the API's order). Tokens are opaque, bound to `list` (e.g. the
 * request path) so a token of another list is refused. `request` is the query string of a REST call
 * or a decoded gRPC request (`pageSize`, `pageToken`).
 */
export function paginate<T>(
  items: readonly T[],
  request: URLSearchParams | Record<string, unknown>,
  spec: PagingSpec,
  list: string,
): Page<T> {
  const read = (key: string): string | undefined => {
    const v = request instanceof URLSearchParams ? request.get(key) : request[key];
    return v === undefined || v === null || v === '' ? undefined : String(v);
  };
  const size = pageSize(read(spec.sizeParam), spec);
  const token = read('pageToken');
  let start = 0;
  if (token !== undefined) {
    const m = /^(.*):(\d+)$/s.exec(Buffer.from(token, 'base64url').toString('utf8'));
    if (!m || m[1] !== list || Number(m[2]) > items.length) throw spec.invalid('pageToken', token);
    start = Number(m[2]);
  }
  const end = Math.min(items.length, start + size);
  const page: Page<T> = { items: items.slice(start, end) };
  if (end < items.length) page.nextPageToken = Buffer.from(`${list}:${end}`).toString('base64url');
  return page;
}

function pageSize(raw: string | undefined, spec: PagingSpec): number {
  if (raw === undefined) return spec.defaultSize;
  const n = Number(raw);
  if (!Number.isInteger(n) || (spec.refuseNonPositive && n <= 0) || (spec.refuseAbove && (n < 0 || n > spec.maxSize))) {
    throw spec.invalid(spec.sizeParam, raw);
  }
  if (n <= 0) return spec.defaultSize;
  return Math.min(n, spec.maxSize);
}
