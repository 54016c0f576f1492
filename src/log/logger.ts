/** Timeline lines in the original's format: `2023-06-05 17:25:28 - INFO - Server: ...`. */
export type Level = "INFO" | "WARNING" | "ERROR";

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

export function timestamp(date = new Date()): string {
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

export function formatLine(level: Level, message: string, date = new Date()): string {
  return `${timestamp(date)} - ${level} - ${message}`;
}

/** Seconds with two decimals, as the original printed `137.18[s]`. */
export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)}[s]`;

export function createLogger(
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Logger {
  return {
    info: (m) => write(formatLine("INFO", m)),
    warn: (m) => write(formatLine("WARNING", m)),
    error: (m) => write(formatLine("ERROR", m)),
  };
}
