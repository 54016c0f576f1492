import type { FileHandle } from "node:fs/promises";
import { BYTES_PER_FRAME } from "../audio/pcm.js";

/** Frames [start, end) of a song's raw PCM file (16-bit interleaved stereo). */
export async function readFrames(file: FileHandle, start: number, end: number): Promise<Int16Array> {
  const bytes = (end - start) * BYTES_PER_FRAME;
  const buffer = Buffer.alloc(bytes);
  let read = 0;
  while (read < bytes) {
    const { bytesRead } = await file.read(buffer, read, bytes - read, start * BYTES_PER_FRAME + read);
    if (bytesRead === 0)
      throw new Error(`the song's PCM ends ${bytes - read} bytes short of frame ${end}: the file was cut`);
    read += bytesRead;
  }
  return new Int16Array(buffer.buffer, buffer.byteOffset, bytes / 2);
}
