import type { ErrorInfo } from './api-error';

/**
 * google.rpc.Status with one google.rpc.ErrorInfo detail, in protobuf wire format, as gRPC servers
 * send it in the `grpc-status-details-bin` trailer (google-gax decodes it into `errorInfoMetadata`).
 * Field numbers: Status {code 1, message 2, details 3}, Any {type_url 1, value 2},
 * ErrorInfo {reason 1, domain 2, metadata 3 (map entry: key 1, value 2)}
 * (https://github.com/googleapis/googleapis/blob/master/google/rpc/status.proto, error_details.proto).
 */
export function encodeRpcStatus(code: number, message: string, info: ErrorInfo): Buffer {
  const entries = Object.entries(info.metadata).map(([k, v]) => bytes(3, Buffer.concat([str(1, k), str(2, v)])));
  const errorInfo = Buffer.concat([str(1, info.reason), str(2, info.domain), ...entries]);
  const any = Buffer.concat([str(1, 'type.googleapis.com/google.rpc.ErrorInfo'), bytes(2, errorInfo)]);
  return Buffer.concat([Buffer.from([0x08, ...varint(code)]), str(2, message), bytes(3, any)]);
}

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n >>> 0;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

/** A length-delimited field (wire type 2). */
function bytes(field: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([(field << 3) | 2, ...varint(payload.length)]), payload]);
}

function str(field: number, text: string): Buffer {
  return bytes(field, Buffer.from(text, 'utf8'));
}
