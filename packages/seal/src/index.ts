export { combineShares, splitKey } from './shamir.js';
export { createShamirSeal, generateKey } from './shamir-seal.js';
