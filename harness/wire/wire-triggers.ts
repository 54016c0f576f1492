import type { WireTrigger } from "../scenario/scenario.js";
import { type ClassifiedFrame, FrameClassifier } from "./frame-classifier.js";
import type { WireEvent, WireRecord } from "./wire-tap.js";

interface Armed {
  trigger: WireTrigger;
  seen: number;
  fire: (frame: ClassifiedFrame) => void;
}

/**
 * Fires faults on frames rather than at times. A frame going to the broker counts once it has been passed on
 * (the broker has it); one coming from the broker counts before it is passed on, so a fault that kills or
 * cuts its receiver lands before the receiver can read it. Each armed trigger fires once, synchronously.
 */
export class WireTriggers {
  private readonly classifier: FrameClassifier;
  private readonly armed: Armed[] = [];

  constructor(
    queues: { jobs: string; results: string },
    /** The workload label of a music id, once the client's upload has returned it. */
    private readonly songOf: (music: number) => string | undefined,
  ) {
    this.classifier = new FrameClassifier(queues);
  }

  arm(trigger: WireTrigger, fire: (frame: ClassifiedFrame) => void): void {
    this.armed.push({ trigger, seen: 0, fire });
  }

  /** Triggers armed and not fired. */
  get unfired(): WireTrigger[] {
    return this.armed.map((a) => a.trigger);
  }

  readonly before = (frame: WireRecord): void => {
    if (frame.direction === "from-broker") this.see(frame);
  };

  readonly after = (event: WireEvent): void => {
    if (event.kind === "frame" && event.direction === "to-broker") this.see(event);
  };

  private see(frame: WireRecord): void {
    const classified = this.classifier.classify(frame);
    if (!classified) return;
    for (const armed of [...this.armed]) {
      const t = armed.trigger;
      if (t.event !== classified.event) continue;
      if (t.link !== undefined && t.link !== frame.link) continue;
      if (t.song !== undefined && this.songOf(classified.music) !== t.song) continue;
      if (++armed.seen < t.nth) continue;
      this.armed.splice(this.armed.indexOf(armed), 1);
      armed.fire(classified);
    }
  }
}
