/// <reference types="vitest/config" />
// Remix options live in remix.config.js (the Vite plugin never reads it by itself), so we import it here.
import { vitePlugin as remix } from "@remix-run/dev";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import remixConfig from "./remix.config.js";

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

export default defineConfig({
  plugins: [!process.env.VITEST && remix(remixConfig)],
  resolve: { alias: { "~": fileURLToPath(new URL("./app", import.meta.url)) } },
  server: { hmr: { port: 24679 } },
  // Server-only native modules: the dev dependency scanner must not try to bundle them for the browser.
  optimizeDeps: { exclude: ["@node-rs/argon2", "better-sqlite3"] },
  build: { target: "es2022" },
  test: {
    include: ["tests/unit/**/*.test.ts", "tests/integration/**/*.test.ts", "tests/security/**/*.test.ts", "tests/faults/*.test.ts"],
    environment: "node",
    pool: "forks",
    testTimeout: 20000,
    hookTimeout: 30000,
  },
});
