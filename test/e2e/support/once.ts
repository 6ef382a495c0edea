// A prerequisite several tests need (a generated SDK, a stack that is up): it runs on first use, and every later call
// gets the same result or the same error. Tests await the prerequisites they need, so each can run on its own.
export function once<T>(work: () => T | Promise<T>): () => Promise<T> {
    let result: Promise<T> | undefined;
    return () => (result ??= Promise.resolve().then(work));
}

/** Runs a step that is expected to fail; returns its error message, or "" if it succeeded. */
export function attempt(step: () => unknown): string {
    try {
        step();
        return "";
    } catch (error) {
        return String((error as Error).message);
    }
}
