import type { ToxicSpec } from "./toxic-spec.js";
import type { StreamItem, ToxicPipe } from "./toxics/toxic.js";

/** What a stage needs from the link it sits in. */
export interface StageHost {
  /** Passes an item on to whatever follows `stage` in the chain right now. */
  after(stage: Stage, item: StreamItem): void;
  drop(bytes: number): void;
  reset(): void;
  random(): number;
}

/**
 * One toxic in one link's chain. Toxicity is rolled when the toxic meets the link and again on every update
 * (Toxiproxy rolls on each run of a stub); a stage that lost the roll passes everything straight on.
 */
export class Stage {
  private active = false;
  /** The stage has passed on the end of the stream; anything later is dropped. */
  private done = false;
  private readonly pipe: ToxicPipe;

  constructor(
    readonly spec: ToxicSpec,
    private readonly host: StageHost,
  ) {
    this.pipe = spec.kind.pipe(
      {
        forward: (item) => this.emit(item),
        drop: (bytes) => host.drop(bytes),
        reset: () => host.reset(),
        random: () => host.random(),
      },
      () => spec.attributes,
    );
    this.activate();
  }

  push(item: StreamItem): void {
    if (this.done) this.discard(item);
    else if (this.active) this.pipe.push(item);
    else this.emit(item);
  }

  update(): void {
    this.pipe.interrupt();
    this.activate();
  }

  /** Called while the stage is still in the chain, so what it releases goes to its successor. */
  remove(): void {
    this.pipe.interrupt();
    if (this.active) this.pipe.removed?.();
  }

  dispose(): void {
    this.pipe.dispose();
  }

  private activate(): void {
    this.active = this.host.random() < this.spec.toxicity;
    if (this.active) this.pipe.start?.();
  }

  private emit(item: StreamItem): void {
    if (this.done) this.discard(item);
    else {
      if (!Buffer.isBuffer(item)) this.done = true;
      this.host.after(this, item);
    }
  }

  private discard(item: StreamItem): void {
    if (Buffer.isBuffer(item)) this.host.drop(item.length);
  }
}
