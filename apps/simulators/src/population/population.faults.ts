import { FaultControls, FaultSettings, FaultSettingsError, FaultState } from '../shared/fault-controls';
import { DEFAULT_SEED, rngFor, Seed } from '../shared/prng';

/**
 * Fault controls of the population simulator: the shared ones (latency, error rate, outage, malformed body,
 * slow drip, path filter; same JSON as every simulator's `/__admin/faults`) plus `badSignatureRate`, the
 * fraction of successful answers whose signed payload is altered after signing.
 *
 * In-process: `simulator.faults.set({ errorRate: 0.2 })`, `faults.clear()`. Over HTTP (same TLS server, a
 * client certificate from the dev PKI is needed like for any request): `GET|POST|DELETE /__admin/faults`.
 * `set` merges (a field left out keeps its value, `null` clears it).
 *
 * - errorRate: answered with the signed SOAP fault HE_THONG_BAN, HTTP 500;
 * - down: every service request has its connection destroyed without an answer (admin routes still work);
 * - malformedRate: the answer is cut in the middle (truncated XML);
 * - slowDrip: the answer is written `chunkBytes` at a time, `intervalMs` apart.
 */
export interface PopulationFaultSettings extends FaultSettings {
  /** Fraction (0..1) of successful answers tampered with after signing. */
  badSignatureRate?: number | null;
}

export interface PopulationFaultState extends FaultState {
  badSignatureRate: number | null;
}

export class PopulationFaults {
  private readonly controls: FaultControls;
  private badSignatureRate: number | null = null;
  private readonly random: () => number;

  /** Decisions are drawn from a seeded generator so a run can be repeated. */
  constructor(seed: Seed = DEFAULT_SEED) {
    const rng = rngFor(seed, 'population:faults');
    this.random = () => rng.next();
    this.controls = new FaultControls(this.random);
  }

  set(settings: PopulationFaultSettings): PopulationFaultState {
    if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
      throw new FaultSettingsError('fault settings must be a JSON object');
    }
    const { badSignatureRate, ...shared } = settings;
    if (badSignatureRate !== undefined && badSignatureRate !== null) {
      if (typeof badSignatureRate !== 'number' || !(badSignatureRate >= 0 && badSignatureRate <= 1)) {
        throw new FaultSettingsError('badSignatureRate must be a number between 0 and 1, or null');
      }
    }
    this.controls.set(shared);
    if (badSignatureRate !== undefined) this.badSignatureRate = badSignatureRate;
    return this.state();
  }

  clear(): void {
    this.controls.clear();
    this.badSignatureRate = null;
  }

  state(): PopulationFaultState {
    return { ...this.controls.state(), badSignatureRate: this.badSignatureRate };
  }

  // --- consumed by the server -----------------------------------------------------------------------

  appliesTo(path: string): boolean {
    return this.controls.appliesTo(path);
  }

  get isDown(): boolean {
    return this.controls.isDown;
  }

  onDown(listener: () => void): void {
    this.controls.onDown(listener);
  }

  delayMs(): number {
    return this.controls.delayMs();
  }

  takeError(): boolean {
    return this.controls.takeError();
  }

  takeMalformed(): boolean {
    return this.controls.takeMalformed();
  }

  takeBadSignature(): boolean {
    const rate = this.badSignatureRate;
    return rate !== null && rate > 0 && this.random() < rate;
  }

  get drip(): FaultState['slowDrip'] {
    return this.controls.drip;
  }
}

export { FaultSettingsError };
