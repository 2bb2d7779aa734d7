/** The chain definitions (CHAINS_FILE), read once at start. */
export const CHAIN_DEFINITIONS = Symbol('CHAIN_DEFINITIONS');
