import { wireSamplesIn } from '../../common/src/testing/wire-samples';

/** A recorded wire sample from this folder, as text. */
export const wireSample = wireSamplesIn(__dirname);
