// The type of aria2-offline.mjs, for the tests written in TypeScript.
export declare const ARIA2_OFFLINE: readonly string[];
