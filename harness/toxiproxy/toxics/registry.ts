import { bandwidth } from "./bandwidth.js";
import { latency } from "./latency.js";
import { limitData } from "./limit-data.js";
import { resetPeer } from "./reset-peer.js";
import { slicer } from "./slicer.js";
import { slowClose } from "./slow-close.js";
import { timeout } from "./timeout.js";
import type { ToxicKind } from "./toxic.js";

/** Toxiproxy 2.12's toxic types. Adding one is adding a file and listing it here. */
const KINDS: readonly ToxicKind[] = [latency, bandwidth, slowClose, timeout, resetPeer, slicer, limitData];

export const toxicKind = (type: string): ToxicKind | undefined => KINDS.find((kind) => kind.type === type);
