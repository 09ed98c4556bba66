import { z } from 'zod';
import { formatIssues } from '../config';
import { InvalidInputError } from '../core';

/**
 * A capacity request (topic `georoute-capacity-requests`). One schema, types inferred from it;
 * config-dependent limits (known region, region max, GPU budget) are checked by the handler.
 */
export const CapacityRequestSchema = z
  .strictObject({
    requestId: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be 1–63 characters of letters, digits, . _ -'),
    region: z.string().min(1).max(64).optional(),
    near: z.string().min(1).max(64).optional(),
    accelerator: z.string().min(1).max(64),
    replicas: z.int().min(1).max(10_000),
    durationMinutes: z
      .int()
      .min(5)
      .max(7 * 24 * 60)
      .optional(),
    reason: z.string().max(1_000).default(''),
  })
  .refine((r) => (r.region === undefined) !== (r.near === undefined), {
    error: 'exactly one of region or near is required',
    path: ['region'],
  });
export type CapacityRequestMessage = z.infer<typeof CapacityRequestSchema>;

/** Cloud Monitoring's numbers arrive as numbers or as strings; null stays null. */
const epochSeconds = z
  .union([
    z.number(),
    z
      .string()
      .regex(/^\d+(\.\d+)?$/)
      .transform(Number),
  ])
  .nullable()
  .optional();

/**
 * The Monitoring notification (schema 1.2), tolerant of what Google really sends: `version: "test"`
 * from a test notification, upper-case `state`, `ended_at: null`, numbers as strings, extra fields.
 */
export const IncidentNotificationSchema = z.looseObject({
  version: z.string().optional(),
  incident: z.looseObject({
    incident_id: z.string().min(1).max(256),
    state: z
      .string()
      .transform((s) => s.toLowerCase())
      .pipe(z.enum(['open', 'closed'])),
    started_at: epochSeconds,
    ended_at: epochSeconds,
    policy_name: z.string().max(512).optional(),
    condition_name: z.string().max(512).optional(),
    summary: z.string().max(4_096).optional(),
    resource: z
      .looseObject({ type: z.string().optional(), labels: z.record(z.string(), z.string()).optional() })
      .optional(),
    resource_name: z.string().max(1_024).optional(),
    metric: z
      .looseObject({ type: z.string().optional(), labels: z.record(z.string(), z.string()).optional() })
      .optional(),
    metadata: z
      .looseObject({
        system_labels: z.record(z.string(), z.string()).optional(),
        user_labels: z.record(z.string(), z.string()).optional(),
      })
      .optional(),
    policy_user_labels: z.record(z.string(), z.string()).nullable().optional(),
    observed_value: z.union([z.string(), z.number()]).nullable().optional(),
    threshold_value: z.union([z.string(), z.number()]).nullable().optional(),
  }),
});
export type IncidentNotification = z.infer<typeof IncidentNotificationSchema>;

/** Parses with a schema; failures become one InvalidInputError listing every issue with its path. */
export function parseMessage<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  // Issues quote keys and values from the message: each is cut, so the error stays small.
  const issues = formatIssues(result.error.issues).map((i) => (i.length > 300 ? `${i.slice(0, 300)}…` : i));
  throw new InvalidInputError(
    `invalid ${what}: ${issues.slice(0, 5).join('; ')}${issues.length > 5 ? ` (+${issues.length - 5} more)` : ''}`,
    issues,
  );
}
