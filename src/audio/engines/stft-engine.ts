import { SAMPLE_RATE, type Stems } from "../pcm.js";
import type { SeparationEngine } from "./engine.js";
import { medianAcross, SlidingMedians } from "./median-filter.js";
import { OverlapAdd } from "./overlap-add.js";
import { emptySpectrum, type Spectrum, StereoFft } from "./stereo-fft.js";
import { framesOverlapping, HANN_SQUARED_OVERLAP, periodicHann, readStereoFrame } from "./stft-frames.js";
import { bassOvertoneShare, centreShare, lowShelf, share, similarity } from "./stft-masks.js";

/**
 * 2048 samples (46 ms) resolve voice harmonics above 150 Hz (bins are 21.5 Hz apart) while staying short
 * enough for syllables; a quarter hop is the overlap at which Hann analysis and synthesis add back exactly.
 */
const SIZE = 2048;
const HOP = SIZE / 4;
/** Harmonic estimate: median over 2·8+1 frames (±93 ms), longer than a drum hit, shorter than a note. */
const TIME_HALF = 8;
/** Percussive estimate: median over 2·8+1 bins (±172 Hz), wider than a harmonic's peak. */
const FREQ_HALF = 8;
const BASS_TOP_HZ = [120, 180] as const;
const VOICE_TOP_HZ = [5000, 8000] as const;
/** Panned 1 : 1/3 or wider scores 0.6 or less (see similarity) and counts as not centred at all. */
const CENTRE_FLOOR = 0.6;
/**
 * A voice bin must stand this far above the median of its neighbouring bins. This, not the median over time,
 * is the voice's harmonic test: vibrato and glides move its overtones across bins within the time median's
 * span, which cost a sung voice alone 15 dB of SNR; a bin's height above its spectral neighbourhood does not
 * care how the pitch moves, and noise and hits, flat across frequency, fail it.
 */
const PEAK_MARGIN = 3;

/**
 * Frequency-domain separation on a grid anchored at song frame 0. Vocals: the centred, peaked part of the
 * voice band not explained as bass overtones; bass: the harmonic part below ~150 Hz and those overtones (both
 * taken from the mid channel, so centred); drums: the percussive part (median filtering over time against
 * over frequency) of what remains in each channel; other: the exact remainder.
 *
 * Radius: an output sample lies in frames whose windows reach SIZE - 1 samples either way, and each frame's
 * masks read the spectra of TIME_HALF frames on either side, TIME_HALF·HOP samples further. Nothing else looks
 * across frames, so input further than that cannot change the sample.
 */
export const stftEngine: SeparationEngine = {
  name: "stft",
  radius: SIZE - 1 + TIME_HALF * HOP,
  separate: separateStft,
};

function separateStft(mix: Int16Array, offset: number): Stems {
  const stems: Stems = {
    drums: new Int32Array(mix.length),
    bass: new Int32Array(mix.length),
    vocals: new Int32Array(mix.length),
    other: new Int32Array(mix.length),
  };
  const fft = new StereoFft(SIZE);
  const bins = fft.bins;
  const window = periodicHann(SIZE);
  const synthesis = window.map((w) => w / HANN_SQUARED_OVERLAP);
  const bands = frequencyBands(bins);

  // Frames k - TIME_HALF .. k are held: k is the newest analysed, k - TIME_HALF the one being split.
  const held = TIME_HALF + 1;
  const lefts = Array.from({ length: held }, () => emptySpectrum(bins));
  const rights = Array.from({ length: held }, () => emptySpectrum(bins));
  const magnitudes = Array.from({ length: held }, () => new Float64Array(bins));
  const slot = (k: number) => ((k % held) + held) % held;
  const harmonicMedians = new SlidingMedians(bins, 2 * TIME_HALF + 1);

  const packed = new Float64Array(2 * SIZE);
  const frame = {
    harmonic: new Float64Array(bins),
    percussive: new Float64Array(bins),
    mid: emptySpectrum(bins),
    midMagnitude: new Float64Array(bins),
  };
  const split = {
    bass: emptySpectrum(bins),
    vocals: emptySpectrum(bins),
    drumsLeft: emptySpectrum(bins),
    drumsRight: emptySpectrum(bins),
  };
  // One inverse FFT gives two time signals: bass and vocals (both centred), then drums left and right.
  const first = new Float64Array(SIZE);
  const second = new Float64Array(SIZE);
  const outputs = {
    bass: new OverlapAdd(stems.bass, offset, SIZE, HOP),
    vocals: new OverlapAdd(stems.vocals, offset, SIZE, HOP),
    drums: new OverlapAdd(stems.drums, offset, SIZE, HOP),
  };

  const grid = framesOverlapping(offset, mix.length / 2, SIZE, HOP);
  for (let k = grid.first; k <= grid.last + TIME_HALF; k++) {
    const s = slot(k);
    if (k <= grid.last) {
      readStereoFrame(mix, offset, k, HOP, window, packed);
      fft.forward(packed, lefts[s], rights[s]);
    } else {
      clear(lefts[s]);
      clear(rights[s]);
    }
    stereoMagnitude(lefts[s], rights[s], magnitudes[s]);
    harmonicMedians.push(magnitudes[s]);

    const c = k - TIME_HALF;
    if (c < grid.first) continue;
    harmonicMedians.medians(frame.harmonic);
    medianAcross(magnitudes[slot(c)], FREQ_HALF, frame.percussive);
    splitFrame(lefts[slot(c)], rights[slot(c)], magnitudes[slot(c)], frame, bands, split);

    fft.inverse(split.bass, split.vocals, first, second);
    scale(first, synthesis);
    scale(second, synthesis);
    outputs.bass.add(c, first, first);
    outputs.vocals.add(c, second, second);
    fft.inverse(split.drumsLeft, split.drumsRight, first, second);
    scale(first, synthesis);
    scale(second, synthesis);
    outputs.drums.add(c, first, second);
  }
  for (const output of Object.values(outputs)) output.finish();

  for (let i = 0; i < mix.length; i++) {
    stems.other[i] = mix[i] - stems.drums[i] - stems.bass[i] - stems.vocals[i];
  }
  return stems;
}

function frequencyBands(bins: number): { bass: Float64Array; voice: Float64Array } {
  const bass = new Float64Array(bins);
  const voice = new Float64Array(bins);
  for (let b = 0; b < bins; b++) {
    const hz = (b * SAMPLE_RATE) / SIZE;
    bass[b] = lowShelf(hz, ...BASS_TOP_HZ);
    voice[b] = (1 - bass[b]) * lowShelf(hz, ...VOICE_TOP_HZ);
  }
  return { bass, voice };
}

/** Masks one frame's bins into the spectra of bass, vocals (both from the mid channel) and drums. */
function splitFrame(
  left: Spectrum,
  right: Spectrum,
  magnitude: Float64Array,
  frame: { harmonic: Float64Array; percussive: Float64Array; mid: Spectrum; midMagnitude: Float64Array },
  bands: { bass: Float64Array; voice: Float64Array },
  out: { bass: Spectrum; vocals: Spectrum; drumsLeft: Spectrum; drumsRight: Spectrum },
): void {
  const { mid, midMagnitude, harmonic, percussive } = frame;
  for (let b = 0; b < magnitude.length; b++) {
    mid.re[b] = (left.re[b] + right.re[b]) / 2;
    mid.im[b] = (left.im[b] + right.im[b]) / 2;
    midMagnitude[b] = Math.sqrt(mid.re[b] * mid.re[b] + mid.im[b] * mid.im[b]);
  }
  for (let b = 0; b < magnitude.length; b++) {
    const h = share(harmonic[b], percussive[b]);
    const centre = centreShare(similarity(left.re[b], left.im[b], right.re[b], right.im[b]), CENTRE_FLOOR);
    const peaked = share(magnitude[b], PEAK_MARGIN * percussive[b]);
    const voiced = bands.voice[b] * centre * peaked;
    const overtone = voiced > 0 ? bassOvertoneShare(midMagnitude, bands.bass, b) : 0;
    const toBass = bands.bass[b] * h + voiced * overtone;
    const toVocals = voiced * (1 - overtone);
    out.bass.re[b] = toBass * mid.re[b];
    out.bass.im[b] = toBass * mid.im[b];
    out.vocals.re[b] = toVocals * mid.re[b];
    out.vocals.im[b] = toVocals * mid.im[b];
    // Drums take the percussive part of what bass and vocals left, so no bin is given out twice.
    const toDrums = 1 - h;
    const taken = toBass + toVocals;
    out.drumsLeft.re[b] = toDrums * (left.re[b] - taken * mid.re[b]);
    out.drumsLeft.im[b] = toDrums * (left.im[b] - taken * mid.im[b]);
    out.drumsRight.re[b] = toDrums * (right.re[b] - taken * mid.re[b]);
    out.drumsRight.im[b] = toDrums * (right.im[b] - taken * mid.im[b]);
  }
}

function stereoMagnitude(left: Spectrum, right: Spectrum, out: Float64Array): void {
  const { re: lr, im: li } = left;
  const { re: rr, im: ri } = right;
  for (let b = 0; b < out.length; b++)
    out[b] = Math.sqrt(lr[b] * lr[b] + li[b] * li[b] + rr[b] * rr[b] + ri[b] * ri[b]);
}

function clear(spectrum: Spectrum): void {
  spectrum.re.fill(0);
  spectrum.im.fill(0);
}

function scale(signal: Float64Array, window: Float64Array): void {
  for (let j = 0; j < signal.length; j++) signal[j] *= window[j];
}
