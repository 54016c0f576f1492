import { CHANNELS, SAMPLE_RATE, STEM_NAMES, type Stems } from "./pcm.js";
import { seededRandom } from "./seeded-random.js";

/** What varies between generated songs; everything else is derived from the seed. */
export interface SongRecipe {
  name: string;
  seed: number;
  seconds: number;
  bpm: number;
  /** The voice's lowest note; the melody climbs up to an octave and a half above it. */
  voiceRootHz: number;
  /** The bass's root; its notes stay within an octave of it, under 150 Hz. */
  bassRootHz: number;
}

export const KNOWN_STEMS_SONGS: readonly SongRecipe[] = [
  { name: "ballad", seed: 11, seconds: 12, bpm: 92, voiceRootHz: 196, bassRootHz: 49 },
  { name: "uptempo", seed: 29, seconds: 12, bpm: 128, voiceRootHz: 262, bassRootHz: 65.4 },
];

/** A mix and the four stems it is the exact sum of (`other` holds the panned instruments). */
export interface KnownStemsSong {
  mix: Int16Array;
  stems: Stems;
}

const PENTATONIC = [0, 2, 4, 7, 9, 12, 14, 16, 19];
const VOWELS: readonly (readonly [number, number, number])[] = [
  [800, 1150, 2900],
  [400, 1600, 2700],
  [350, 2200, 3000],
  [450, 800, 2830],
  [325, 700, 2530],
];
/** The voice's overtones stop here, well above where its formants matter. */
const VOICE_TOP_HZ = 8000;
const FORMANT_WIDTHS = [80, 100, 140];
const FORMANT_GAINS = [1, 0.6, 0.3];

/**
 * A deterministic song with known stems, for measuring separation without downloads: a formant-filtered
 * voice exactly centred, with pitch glides, vibrato and syllables; a centred bass; a pad panned left and a
 * plucked arpeggio panned right; kick and snare centred, hats panned. Stems are scaled together so the mix
 * peaks below full scale, rounded each, and the mix is their sum, so nothing clips.
 */
export function knownStemsSong(recipe: SongRecipe): KnownStemsSong {
  const frames = Math.round(recipe.seconds * SAMPLE_RATE);
  const random = seededRandom(recipe.seed);
  const beat = 60 / recipe.bpm;
  const parts = {
    vocals: stereo(level(voice(frames, beat, recipe.voiceRootHz, random), 1), 1, 1),
    bass: stereo(level(bassLine(frames, beat, recipe.bassRootHz, random), 0.7), 1, 1),
    drums: sum(
      stereo(level(kick(frames, beat), 0.6), 1, 1),
      stereo(level(snare(frames, beat, random), 0.45), 1, 1),
      stereo(level(hats(frames, beat, random), 0.2), 0.6, 1),
    ),
    other: sum(
      stereo(level(pad(frames, beat, recipe.voiceRootHz * 1.5), 0.5), 1, 0.25),
      stereo(level(arpeggio(frames, beat, recipe.voiceRootHz * 2, random), 0.45), 0.3, 1),
    ),
  };
  let peak = 0;
  for (let i = 0; i < frames * CHANNELS; i++) {
    peak = Math.max(peak, Math.abs(parts.vocals[i] + parts.bass[i] + parts.drums[i] + parts.other[i]));
  }
  const gain = (0.89 * 32767) / peak;
  const stems = Object.fromEntries(STEM_NAMES.map((name) => [name, rounded(parts[name], gain)])) as Stems;
  const mix = new Int16Array(frames * CHANNELS);
  for (let i = 0; i < mix.length; i++) {
    mix[i] = stems.drums[i] + stems.bass[i] + stems.vocals[i] + stems.other[i];
  }
  return { mix, stems };
}

const pick = <T>(items: readonly T[], random: () => number): T => items[Math.floor(random() * items.length)];
const semitones = (hz: number, steps: number) => hz * 2 ** (steps / 12);

/** Syllables of one or two beats, each a vowel on a pentatonic note, gliding in from the last note. */
function voice(frames: number, beat: number, rootHz: number, random: () => number): Float64Array {
  const out = new Float64Array(frames);
  let phase = 0;
  let previousHz = rootHz;
  const weights = new Float64Array(Math.floor(VOICE_TOP_HZ / rootHz));
  for (let start = 0; start < frames; ) {
    const length = Math.round((random() < 0.6 ? 1 : 2) * beat * SAMPLE_RATE);
    const hz = semitones(rootHz, pick(PENTATONIC, random));
    const formants = pick(VOWELS, random);
    const loudness = 0.7 + 0.3 * random();
    const sung = Math.round(length * 0.85);
    for (let j = 0; j < sung && start + j < frames; j++) {
      const t = j / SAMPLE_RATE;
      const glide = Math.exp(-t / 0.05);
      const vibrato = 0.015 * Math.min(1, t / 0.3) * Math.sin(2 * Math.PI * 5.5 * t);
      const f0 = hz * (previousHz / hz) ** glide * (1 + vibrato);
      phase = (phase + (2 * Math.PI * f0) / SAMPLE_RATE) % (2 * Math.PI);
      const envelope = Math.min(1, t / 0.04, (sung - j) / SAMPLE_RATE / 0.08);
      const count = Math.min(weights.length, Math.floor(VOICE_TOP_HZ / f0));
      for (let n = 1; n <= count; n++) weights[n - 1] = formantGain(n * f0, formants) / n;
      out[start + j] = loudness * envelope * harmonics(phase, weights.subarray(0, count));
    }
    previousHz = hz;
    start += length;
  }
  return out;
}

function formantGain(hz: number, formants: readonly number[]): number {
  let gain = 0.02;
  for (let f = 0; f < formants.length; f++) {
    const x = (hz - formants[f]) / FORMANT_WIDTHS[f];
    gain += FORMANT_GAINS[f] / (1 + x * x);
  }
  return gain;
}

/** A note per beat among root, fourth, fifth and octave (all under 150 Hz), plucked, two soft overtones. */
function bassLine(frames: number, beat: number, rootHz: number, random: () => number): Float64Array {
  const out = new Float64Array(frames);
  const length = Math.round(beat * SAMPLE_RATE);
  for (let start = 0; start < frames; start += length) {
    const hz = semitones(rootHz, pick([0, 7, 12, 0, 5], random));
    for (let j = 0; j < length && start + j < frames; j++) {
      const t = j / SAMPLE_RATE;
      const envelope =
        Math.min(1, t / 0.005, (length - j) / SAMPLE_RATE / 0.03) * (0.5 + 0.5 * Math.exp(-t / 0.2));
      const p = 2 * Math.PI * hz * t;
      out[start + j] = envelope * (Math.sin(p) + 0.35 * Math.sin(2 * p) + 0.12 * Math.sin(3 * p));
    }
  }
  return out;
}

/** A sustained triad a bar long, eight harmonics per note, swelling in and out. */
function pad(frames: number, beat: number, rootHz: number): Float64Array {
  const out = new Float64Array(frames);
  const bar = Math.round(4 * beat * SAMPLE_RATE);
  const chords = [
    [0, 4, 7],
    [5, 9, 12],
    [-3, 0, 4],
    [7, 11, 14],
  ];
  for (let start = 0, bars = 0; start < frames; start += bar, bars++) {
    const notes = chords[bars % chords.length].map((s) => semitones(rootHz, s));
    for (let j = 0; j < bar && start + j < frames; j++) {
      const t = j / SAMPLE_RATE;
      const envelope = Math.min(1, t / 0.3, (bar - j) / SAMPLE_RATE / 0.3);
      let sample = 0;
      for (const hz of notes) sample += harmonics(2 * Math.PI * hz * t, PAD_HARMONICS);
      out[start + j] = envelope * sample;
    }
  }
  return out;
}

/** Eighth notes climbing a chord, each plucked and decaying. */
function arpeggio(frames: number, beat: number, rootHz: number, random: () => number): Float64Array {
  const out = new Float64Array(frames);
  const length = Math.round((beat / 2) * SAMPLE_RATE);
  const weights = new Float64Array(6);
  for (let start = 0, step = 0; start < frames; start += length, step++) {
    const hz = semitones(rootHz, [0, 4, 7, 12][step % 4] + (random() < 0.2 ? 2 : 0));
    for (let j = 0; j < length && start + j < frames; j++) {
      const t = j / SAMPLE_RATE;
      const envelope = Math.min(1, t / 0.003, (length - j) / SAMPLE_RATE / 0.01) * Math.exp(-t / 0.15);
      // Higher harmonics die faster, as a plucked string's do.
      const damping = Math.exp(-3 * t);
      let decay = 1;
      for (let n = 0; n < weights.length; n++) {
        decay *= damping;
        weights[n] = decay / (n + 1);
      }
      out[start + j] = envelope * harmonics(2 * Math.PI * hz * t, weights);
    }
  }
  return out;
}

/** On beats 1 and 3: a sine falling from 150 Hz to 50 Hz. */
function kick(frames: number, beat: number): Float64Array {
  const out = new Float64Array(frames);
  const every = Math.round(2 * beat * SAMPLE_RATE);
  const length = Math.round(0.3 * SAMPLE_RATE);
  for (let start = 0; start < frames; start += every) {
    let phase = 0;
    for (let j = 0; j < length && start + j < frames; j++) {
      const t = j / SAMPLE_RATE;
      phase += (2 * Math.PI * (50 + 100 * Math.exp(-t / 0.03))) / SAMPLE_RATE;
      out[start + j] = Math.exp(-t / 0.12) * Math.sin(phase);
    }
  }
  return out;
}

/** On beats 2 and 4: a noise burst over a short 190 Hz body. */
function snare(frames: number, beat: number, random: () => number): Float64Array {
  const out = new Float64Array(frames);
  const every = Math.round(2 * beat * SAMPLE_RATE);
  const length = Math.round(0.25 * SAMPLE_RATE);
  for (let start = Math.round(beat * SAMPLE_RATE); start < frames; start += every) {
    for (let j = 0; j < length && start + j < frames; j++) {
      const t = j / SAMPLE_RATE;
      const body = 0.6 * Math.exp(-t / 0.04) * Math.sin(2 * Math.PI * 190 * t);
      out[start + j] = Math.exp(-t / 0.07) * (2 * random() - 1) + body;
    }
  }
  return out;
}

/** Eighth-note ticks of high-passed noise, with a click now and then. */
function hats(frames: number, beat: number, random: () => number): Float64Array {
  const out = new Float64Array(frames);
  const every = Math.round((beat / 2) * SAMPLE_RATE);
  const length = Math.round(0.06 * SAMPLE_RATE);
  for (let start = 0; start < frames; start += every) {
    let previous = 0;
    const click = random() < 0.25;
    for (let j = 0; j < length && start + j < frames; j++) {
      const noise = 2 * random() - 1;
      out[start + j] = Math.exp(-j / SAMPLE_RATE / 0.02) * (noise - previous) + (click && j < 3 ? 3 : 0);
      previous = noise;
    }
  }
  return out;
}

const PAD_HARMONICS = Array.from({ length: 8 }, (_, n) => (n + 1) ** -1.5);

/** Σ weights[n-1]·sin(n·phase), with sin(n·phase) by the Chebyshev recurrence (one sine call, not one each). */
function harmonics(phase: number, weights: ArrayLike<number>): number {
  const twoCos = 2 * Math.cos(phase);
  let below = 0;
  let current = Math.sin(phase);
  let sum = 0;
  for (let n = 0; n < weights.length; n++) {
    sum += weights[n] * current;
    const next = twoCos * current - below;
    below = current;
    current = next;
  }
  return sum;
}

function level(mono: Float64Array, rms: number): Float64Array {
  let power = 0;
  for (const v of mono) power += v * v;
  const gain = rms / Math.sqrt(power / mono.length);
  for (let i = 0; i < mono.length; i++) mono[i] *= gain;
  return mono;
}

function rounded(x: Float64Array, gain: number): Int32Array {
  const out = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.round(x[i] * gain);
  return out;
}

function stereo(mono: Float64Array, left: number, right: number): Float64Array {
  const out = new Float64Array(mono.length * CHANNELS);
  for (let i = 0; i < mono.length; i++) {
    out[2 * i] = left * mono[i];
    out[2 * i + 1] = right * mono[i];
  }
  return out;
}

function sum(...parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts[0].length);
  for (const part of parts) for (let i = 0; i < out.length; i++) out[i] += part[i];
  return out;
}
