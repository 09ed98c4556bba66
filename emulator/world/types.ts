/** What the world simulation is told once the stack exists (`WorldService.configure`). */
export interface WorldSetup {
  project: string;
  /** The geo-routed record clients resolve (FQDN, trailing dot). */
  recordName: string;
  /** The global backend service of the anycast load balancer. */
  backendService: string;
  /** Client locations (Google Cloud region names, as Cloud DNS geo locations). */
  locations: string[];
  /** Virtual seconds between traffic samples (and Monitoring points). Default 30. */
  sampleSec?: number;
  /** Synthetic probe requests/s to every region's entry point (a prober, as real setups run). Default 0.2. */
  probeRps?: number;
  /** Service time of one request on an idle replica, ms. Default 800. */
  baseLatencyMs?: number;
  /** Requests/s one replica serves when its backend gives no `maxRatePerInstance`. Default 4. */
  defaultReplicaRps?: number;
  /** Seed of the latency jitter. Default 1. */
  seed?: number;
}

/** One region as the world saw it over one sample interval. */
export interface RegionSample {
  /** Client requests/s that reached the region (probes excluded). */
  clientRps: number;
  /** All requests/s that reached it (clients + probes). */
  rps: number;
  healthy: number;
  running: number;
  target: number;
  capacityScaler: number;
  /** Offered load / (healthy replicas × per-replica throughput), uncapped (>1 = overloaded). */
  utilization: number;
  errorRatio: number;
  p50Ms: number;
  p95Ms: number;
  /** Replicas wanted by utilization (fed to the autoscaler). */
  demand: number;
  /** Its VMs ejected by outlier detection at the end of the interval, per load balancer. */
  ejected: { regional: number; global: number };
}

/** One client location over one sample interval. */
export interface LocationSample {
  rps: number;
  /** Regions the DNS answer the location's resolvers hold points to (`anycast` for the global LB). */
  answer: string[];
  /** Region → client requests/s it served for this location. */
  served: Record<string, number>;
  /** `null` when no request succeeded. */
  p50Ms: number | null;
  p95Ms: number | null;
  errorRatio: number;
}

export interface WorldSample {
  /** Virtual time (epoch ms) at the end of the interval. */
  at: number;
  intervalSec: number;
  regions: Record<string, RegionSample>;
  locations: Record<string, LocationSample>;
}

/**
 * A change the world noticed, at tick granularity: a backend's capacityScaler, a location's served DNS
 * answer, a region's replicas (healthy / running / target), a fault or load change; and, per sample, a
 * VM ejected by a backend service's outlier detection.
 */
export type WorldEvent =
  | { at: number; kind: 'scaler'; region: string; from: number; to: number }
  | { at: number; kind: 'dns'; location: string; from: string[]; to: string[] }
  | { at: number; kind: 'replicas'; region: string; healthy: number; running: number; target: number }
  | { at: number; kind: 'fault'; region: string; errorRate: number; status: number }
  | {
      at: number;
      kind: 'ejection';
      /** The backend service whose outlier detection ejected the VM, and the VM's region. */
      service: string;
      region: string;
      instance: string;
      reason: 'consecutiveErrors' | 'consecutiveGatewayFailure' | 'successRate';
      /** When it was ejected (within the sample) and until when. */
      ejectedAt: number;
      until: number;
      ejections: number;
    }
  | { at: number; kind: 'load'; location: string; rps: number };
