import type { FileHandle } from "node:fs/promises";
import { CHANNELS } from "../audio/pcm.js";

const FRAME_BYTES = 2 * CHANNELS;

/** Frames [start, end) of a song's raw PCM file (16-bit interleaved stereo). */
export async function readFrames(file: FileHandle, start: number, end: number): Promise<Int16Array> {
  const bytes = (end - start) * FRAME_BYTES;
  const buffer = Buffer.alloc(bytes);
  let read = 0;
  while (read < bytes) {
    const { bytesRead } = await file.read(buffer, read, bytes - read, start * FRAME_BYTES + read);
    if (bytesRead === 0)
      throw new Error(`the song's PCM ends ${bytes - read} bytes short of frame ${end}: the file was cut`);
    read += bytesRead;
  }
  return new Int16Array(buffer.buffer, buffer.byteOffset, bytes / 2);
}
