// The type of free-port.mjs, for the tests written in TypeScript.
export declare function freePort(host: string): Promise<number>;
