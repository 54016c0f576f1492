/**
 * Lets sends run side by side, or one alone: an exclusive send waits until the shared ones in flight are done, and
 * holds back every send that comes meanwhile. The link sends a frame alone when a broker ERROR, which names no
 * frame, came while it was one of several in flight: an ERROR on that lone attempt is then surely its own.
 */
export class SendGate {
  private running = 0;
  private drained: (() => void)[] = [];
  private alone: Promise<void> = Promise.resolve();
  private aloneWaiting = 0;

  async shared<T>(send: () => Promise<T>): Promise<T> {
    while (this.aloneWaiting > 0) await this.alone;
    this.running++;
    try {
      return await send();
    } finally {
      this.running--;
      if (this.running === 0) for (const wake of this.drained.splice(0)) wake();
    }
  }

  exclusive<T>(send: () => Promise<T>): Promise<T> {
    this.aloneWaiting++;
    const turn = this.alone.then(async () => {
      if (this.running > 0) await new Promise<void>((resolve) => this.drained.push(resolve));
      return send();
    });
    this.alone = turn.then(
      () => {},
      () => {},
    );
    void this.alone.then(() => this.aloneWaiting--);
    return turn;
  }
}
