import type { Socket } from "node:net";
import { Stage, type StageHost } from "./stage.js";
import type { ToxicSpec } from "./toxic-spec.js";
import { CLOSE, type Direction, END, type StreamItem } from "./toxics/toxic.js";

/** Bytes a link lets sit in its toxics before it stops reading its source (latency needs room to hold). */
const HIGH_WATER = 4 * 1024 * 1024;

export interface LinkEvents {
  /** CLOSE reached the end of the chain and the destination is being closed. */
  closing(link: Link): void;
  reset(): void;
  random(): number;
}

/**
 * One direction of a connection: source socket → the live chain of this direction's toxics → destination.
 * Toxics join and leave the chain of a running link, so they act on connections already open.
 */
export class Link implements StageHost {
  private stages: Stage[] = [];
  /** Bytes read from the source and not yet written to the destination or dropped. */
  private buffered = 0;
  private sourceDone = false;
  private sinkDone = false;

  constructor(
    readonly direction: Direction,
    readonly source: Socket,
    readonly dest: Socket,
    toxics: readonly ToxicSpec[],
    private readonly events: LinkEvents,
  ) {
    for (const spec of toxics) this.add(spec);
    source.on("data", (chunk: Buffer) => {
      if (this.sourceDone) return;
      this.buffered += chunk.length;
      this.enter(chunk);
      this.flow();
    });
    source.once("end", () => this.finishSource(END));
    dest.on("drain", () => this.flow());
    this.flow();
  }

  add(spec: ToxicSpec): void {
    if (spec.direction === this.direction) this.stages.push(new Stage(spec, this));
  }

  update(spec: ToxicSpec): void {
    this.stageOf(spec)?.update();
  }

  remove(spec: ToxicSpec): void {
    const stage = this.stageOf(spec);
    if (!stage) return;
    stage.remove();
    this.stages = this.stages.filter((s) => s !== stage);
  }

  /** The source is closed or closing: nothing more will be read from it. */
  sourceGone(): void {
    this.finishSource(CLOSE);
  }

  dispose(): void {
    for (const stage of this.stages) stage.dispose();
    this.stages = [];
  }

  after(stage: Stage, item: StreamItem): void {
    // Looked up per item, so a toxic added or removed meanwhile is in (or out of) the path at once.
    const index = this.stages.indexOf(stage);
    const next = this.stages[index + 1];
    if (index < 0) this.discard(item);
    else if (next) next.push(item);
    else this.sink(item);
  }

  drop(bytes: number): void {
    this.buffered -= bytes;
    this.flow();
  }

  reset(): void {
    this.events.reset();
  }

  random(): number {
    return this.events.random();
  }

  private stageOf(spec: ToxicSpec): Stage | undefined {
    return this.stages.find((stage) => stage.spec === spec);
  }

  private finishSource(item: typeof END | typeof CLOSE): void {
    if (this.sourceDone) return;
    this.sourceDone = true;
    this.enter(item);
  }

  private enter(item: StreamItem): void {
    const first = this.stages[0];
    if (first) first.push(item);
    else this.sink(item);
  }

  private sink(item: StreamItem): void {
    if (Buffer.isBuffer(item)) {
      this.buffered -= item.length;
      if (!this.sinkDone && this.dest.writable) this.dest.write(item);
      this.flow();
      return;
    }
    if (this.sinkDone) return;
    this.sinkDone = true;
    if (item === END) {
      // A half-close passes on as a half-close: the other direction keeps flowing.
      if (this.dest.writable) this.dest.end();
      return;
    }
    closeGracefully(this.dest);
    this.events.closing(this);
  }

  private discard(item: StreamItem): void {
    if (Buffer.isBuffer(item)) this.drop(item.length);
  }

  /** Back-pressure: stop reading while the destination or the toxics hold too much. */
  private flow(): void {
    if (this.sourceDone || this.source.destroyed) return;
    if (this.buffered >= HIGH_WATER || this.dest.writableNeedDrain) this.source.pause();
    else this.source.resume();
  }
}

/** Like Go's Close(): what was written is still sent, then FIN; the socket is released either way. */
export function closeGracefully(socket: Socket): void {
  if (socket.destroyed) return;
  socket.end(() => socket.destroy());
}
