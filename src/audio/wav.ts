import { CHANNELS, SAMPLE_RATE } from "./pcm.js";

/** A canonical 44-byte-header PCM WAV; written by hand because it is exact and needs no ffmpeg round trip. */
export function encodeWav(samples: Int16Array, rate = SAMPLE_RATE, channels = CHANNELS): Buffer {
  const dataBytes = samples.byteLength;
  return Buffer.concat([
    wavHeader(dataBytes, rate, channels),
    Buffer.from(samples.buffer, samples.byteOffset, dataBytes),
  ]);
}

/** The header encodeWav writes, for a file whose `dataBytes` of 16-bit samples are written after it in pieces. */
export function wavHeader(dataBytes: number, rate = SAMPLE_RATE, channels = CHANNELS): Buffer {
  const header = Buffer.alloc(44);
  header.write("RIFF", 0, "ascii");
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write("WAVE", 8, "ascii");
  header.write("fmt ", 12, "ascii");
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * channels * 2, 28);
  header.writeUInt16LE(channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36, "ascii");
  header.writeUInt32LE(dataBytes, 40);
  return header;
}

/** Reads the 16-bit PCM WAVs that encodeWav writes (and any with a plain fmt/data layout). */
export function decodeWav(file: Buffer): { rate: number; channels: number; samples: Int16Array } {
  if (file.toString("ascii", 0, 4) !== "RIFF" || file.toString("ascii", 8, 12) !== "WAVE") {
    throw new Error("not a RIFF/WAVE file");
  }
  let offset = 12;
  let rate = 0;
  let channels = 0;
  while (offset + 8 <= file.length) {
    const id = file.toString("ascii", offset, offset + 4);
    const size = file.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === "fmt ") {
      if (file.readUInt16LE(body + 14) !== 16) throw new Error("only 16-bit WAV is read");
      channels = file.readUInt16LE(body + 2);
      rate = file.readUInt32LE(body + 4);
    } else if (id === "data") {
      const bytes = Uint8Array.prototype.slice.call(file, body, body + size);
      return { rate, channels, samples: new Int16Array(bytes.buffer, 0, Math.floor(size / 2)) };
    }
    offset = body + size + (size % 2);
  }
  throw new Error("WAV has no data chunk");
}
