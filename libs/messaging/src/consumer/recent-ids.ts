/**
 * A bounded memory of the ids a consumer has recently applied, to skip a redelivery without a round trip:
 * after a rebalance or a batch fetched again, the records that follow a failed one come back, and their
 * ids are almost always among the last few thousand. It forgets the oldest first, so it is a shortcut in
 * front of the durable check (the upstream applying an id once), never a replacement for it.
 */
export class RecentIds {
  // a Set iterates in insertion order: its first item is the oldest
  private readonly ids = new Set<string>();

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('capacity must be a positive integer');
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  remember(id: string): void {
    this.ids.delete(id);
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value as string);
  }

  get size(): number {
    return this.ids.size;
  }
}
