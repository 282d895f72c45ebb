import { defineConfig } from "vitest/config";

// The gateway serves dist/ at `/` (hashed assets under /assets/ get a long cache).
// JSX goes through Vite's own transform (automatic runtime, Preact's jsx-runtime).
export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { outDir: "dist", assetsDir: "assets", sourcemap: false },
  server: { proxy: { "/v1": { target: "http://127.0.0.1:8000", ws: true } } },
  test: { environment: "node", globals: true, include: ["src/**/*.test.ts"] },
});
