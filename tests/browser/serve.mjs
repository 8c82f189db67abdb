// A minimal static file server for the benchmark: the module from wasm/browser/pkg and one page,
// sent cross-origin isolated so that performance.now() has microsecond resolution in Chromium.
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".wasm": "application/wasm" };

/** Serves `pages` (path → HTML) and `/pkg/*` from `pkgDir` on 127.0.0.1. Resolves to `{ url, close }`. */
export async function serve(pkgDir, pages) {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    const headers = {
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Embedder-Policy": "require-corp",
      "Cache-Control": "no-store",
    };
    try {
      if (pages[path] !== undefined) {
        res.writeHead(200, { ...headers, "Content-Type": TYPES[".html"] });
        return res.end(pages[path]);
      }
      if (path.startsWith("/pkg/")) {
        const file = normalize(join(pkgDir, path.slice(5)));
        if (!file.startsWith(normalize(pkgDir))) throw new Error("outside");
        const body = await readFile(file);
        res.writeHead(200, { ...headers, "Content-Type": TYPES[extname(file)] || "application/octet-stream" });
        return res.end(body);
      }
    } catch {
      // fall through to 404
    }
    res.writeHead(404, headers);
    res.end("not found");
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
