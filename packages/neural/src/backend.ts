import * as tf from "@tensorflow/tfjs";

/** A TensorFlow.js backend the neural models can train on. */
export type BackendName = "tensorflow" | "wasm" | "cpu";

// TensorFlow.js greets Node users on its first CPU tensor with a console banner; production mode silences
// it (it also skips debug-mode NaN checks, which the trainer does not rely on).
tf.env().set("PROD", true);

/** Node's dynamic import with a computed name: optional packages that are absent must not fail type checks. */
const importOptional = (name: string): Promise<unknown> => import(name);

/**
 * Chooses the backend the networks train on, and waits until it is ready (the WebAssembly one compiles its
 * module asynchronously). `auto` takes `@tensorflow/tfjs-node` (native TensorFlow) when it is installed,
 * else WebAssembly (its .wasm ships inside `@tensorflow/tfjs-backend-wasm`, so it works offline), else the
 * pure-JavaScript CPU backend. Returns the backend in use. Without a call, training runs on the CPU backend
 * (always available synchronously). Same seed, same decisions holds on one backend; backends round
 * differently, so decisions after a retraining may differ between backends.
 */
export async function useBackend(name: "auto" | BackendName = "auto"): Promise<BackendName> {
  const order: BackendName[] = name === "auto" ? ["tensorflow", "wasm", "cpu"] : [name];
  for (const candidate of order) {
    try {
      if (candidate === "tensorflow") await importOptional("@tensorflow/tfjs-node");
      if (candidate === "wasm") await import("@tensorflow/tfjs-backend-wasm");
      if (await tf.setBackend(candidate)) {
        await tf.ready();
        return candidate;
      }
    } catch (error) {
      if (name !== "auto") throw error;
      // not installed or cannot start here: try the next one
    }
  }
  throw new Error(`TensorFlow.js backend ${name} is not available`);
}

/** The backend training uses now (initialises the CPU backend if none was chosen). */
export function currentBackend(): string {
  return tf.getBackend();
}

export { tf };
