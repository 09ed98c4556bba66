/**
 * Virtual clock shared by every emulated service. Time runs at `speed` × real time and can be
 * advanced by hand, so tests can play minutes of cloud behaviour (VM boot, alert durations,
 * scaling schedules) in milliseconds without sleeping.
 */
export class VirtualClock {
  private baseVirtual: number;
  private baseReal: number;
  private currentSpeed: number;

  constructor(options: { start?: number; speed?: number } = {}) {
    this.baseVirtual = options.start ?? Date.now();
    this.baseReal = Date.now();
    this.currentSpeed = options.speed ?? 1;
  }

  now(): number {
    return this.baseVirtual + (Date.now() - this.baseReal) * this.currentSpeed;
  }

  get speed(): number {
    return this.currentSpeed;
  }

  setSpeed(speed: number): void {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new Error(`clock speed must be > 0, got ${speed}`);
    this.rebase();
    this.currentSpeed = speed;
  }

  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error(`cannot advance the clock by ${ms} ms`);
    this.rebase();
    this.baseVirtual += ms;
  }

  /** Real milliseconds until the virtual instant `at` (0 if it has passed). */
  realDelayUntil(at: number): number {
    return Math.max(0, (at - this.now()) / this.currentSpeed);
  }

  iso(at = this.now()): string {
    return new Date(at).toISOString();
  }

  private rebase(): void {
    this.baseVirtual = this.now();
    this.baseReal = Date.now();
  }
}
