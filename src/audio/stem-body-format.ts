import { STEM_NAMES } from "./pcm.js";
import { isKnownLayout, LEGACY_LAYOUT, sectionBytes } from "./stem-layout.js";

/**
 * The shapes a result body (one chunk's four stems) has had, all still read (results stored by earlier versions
 * must still merge):
 *
 * - "ESt2" (since issue 14): the magic, then blocks of a few seconds, each: its frame count (u32 LE), one layout
 *   byte per stem in STEM_NAMES order (stem-layout.ts), then each stem's samples for those frames. A worker
 *   writes it a block at a time as it separates, and the server merges it a block at a time, so neither holds a
 *   whole chunk's 32-bit stems.
 * - "ESt1": the magic, one layout byte per stem, then each stem's samples for the whole chunk.
 * - Before 2026-11-27, headerless: the four stems as 32-bit stereo, 32 bytes a frame. Its first four bytes are a
 *   sample, which never reaches either magic's value (four 16-bit stems sum to under 2^17).
 */
export const BLOCKS_MAGIC = Buffer.from("ESt2", "latin1");
const WHOLE_MAGIC = Buffer.from("ESt1", "latin1");
const MAGIC_BYTES = BLOCKS_MAGIC.length;
export const BLOCK_HEADER_BYTES = 4 + STEM_NAMES.length;

/** Frames stored together: each stem's samples for all of them, in the stem's layout, from byte `offset` on. */
export interface SectionGroup {
  frames: number;
  layouts: readonly number[];
  offset: number;
}

export class MalformedStemsError extends Error {}

const fail = (problem: string): never => {
  throw new MalformedStemsError(`stems body ${problem}`);
};

const groupBytes = (layouts: readonly number[], frames: number) =>
  layouts.reduce((sum, layout) => sum + sectionBytes(layout, frames), 0);

function checkLayouts(layouts: readonly number[], where: string): void {
  const bad = layouts.find((layout) => !isKnownLayout(layout));
  if (bad !== undefined) fail(`has an unknown stem layout ${bad}${where}`);
}

/**
 * The body's groups of frames in order, its shape checked as it goes (header, frame counts, layouts, lengths:
 * every byte accounted for, no sample read); throws MalformedStemsError at the first thing wrong, before
 * yielding a group that reaches past the body.
 */
export function* sectionGroups(body: Buffer, frames: number): Generator<SectionGroup> {
  const magic = body.subarray(0, MAGIC_BYTES);
  if (magic.equals(BLOCKS_MAGIC)) yield* blockGroups(body, frames);
  else if (magic.equals(WHOLE_MAGIC)) {
    const header = MAGIC_BYTES + STEM_NAMES.length;
    if (body.length < header) fail(`has ${body.length} bytes, shorter than its header`);
    const layouts = [...body.subarray(MAGIC_BYTES, header)];
    checkLayouts(layouts, "");
    const expected = header + groupBytes(layouts, frames);
    if (body.length !== expected)
      fail(
        `has ${body.length} bytes, expected ${expected} for ${frames} frames in layouts ${layouts.join(",")}`,
      );
    yield { frames, layouts, offset: header };
  } else {
    const layouts = STEM_NAMES.map(() => LEGACY_LAYOUT);
    const expected = groupBytes(layouts, frames);
    if (body.length !== expected)
      fail(
        `has ${body.length} bytes and no layout header; a headerless one holds ${expected} for ${frames} frames`,
      );
    yield { frames, layouts, offset: 0 };
  }
}

function* blockGroups(body: Buffer, frames: number): Generator<SectionGroup> {
  let offset = MAGIC_BYTES;
  let seen = 0;
  while (offset < body.length) {
    if (seen === frames)
      fail(
        `has ${body.length - offset} bytes after its last block (its blocks hold all ${frames} frames already)`,
      );
    const at = ` (block at byte ${offset})`;
    if (body.length - offset < BLOCK_HEADER_BYTES)
      fail(`ends inside a block header${at}: ${body.length - offset} of its ${BLOCK_HEADER_BYTES} bytes`);
    const count = body.readUInt32LE(offset);
    if (count === 0) fail(`has a block of 0 frames${at}`);
    if (seen + count > frames)
      fail(`has blocks of more than ${frames} frames: ${seen + count} up to the block at byte ${offset}`);
    const layouts = [...body.subarray(offset + 4, offset + BLOCK_HEADER_BYTES)];
    checkLayouts(layouts, at);
    const bytes = BLOCK_HEADER_BYTES + groupBytes(layouts, count);
    if (body.length - offset < bytes)
      fail(
        `ends inside a block${at}: it takes ${bytes} bytes for ${count} frames, ${body.length - offset} are left`,
      );
    yield { frames: count, layouts, offset: offset + BLOCK_HEADER_BYTES };
    offset += bytes;
    seen += count;
  }
  if (seen !== frames) fail(`has blocks of ${seen} frames, expected ${frames}`);
}

/** What is wrong with a body's shape for `frames` frames, or undefined: no sample is decoded. */
export function stemsBodyError(body: Buffer, frames: number): string | undefined {
  try {
    for (const _group of sectionGroups(body, frames));
    return undefined;
  } catch (error) {
    if (error instanceof MalformedStemsError) return error.message;
    throw error;
  }
}
