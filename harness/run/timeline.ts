import { appendFileSync } from "node:fs";
import { formatLine, type Level, type Logger } from "../../src/log/logger.js";

/**
 * The run's log in the original's style: every process's lines plus the harness's own, in the order they
 * arrived (all pass through this process), written to timeline.log and echoed live.
 */
export class Timeline {
  readonly lines: string[] = [];

  constructor(
    private readonly file: string,
    private readonly echo: (line: string) => void,
  ) {}

  add(line: string): void {
    this.lines.push(line);
    appendFileSync(this.file, `${line}\n`);
    this.echo(line);
  }

  write(level: Level, message: string): void {
    this.add(formatLine(level, message));
  }

  /** A Logger whose lines land in the timeline (for the broker provider and the harness itself). */
  logger(): Logger {
    return {
      info: (m) => this.write("INFO", m),
      warn: (m) => this.write("WARNING", m),
      error: (m) => this.write("ERROR", m),
    };
  }
}
