// The screenshots in docs/screenshots/, taken from the running demo: `make screenshots-browser`.
// (Japanese renders only with fonts-noto-cjk installed: `make setup-chromium`.)
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { launch } from "./chromium.mjs";
import { startDemo } from "./stack.mjs";

const out = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "docs", "screenshots");
mkdirSync(out, { recursive: true });

const demo = await startDemo();
const chromium = await launch();
try {
  const page = await chromium.context.newPage();
  await page.setViewportSize({ width: 1200, height: 900 });
  const open = async (lang, user = "alice") => {
    await page.goto(`${demo.url}/?lang=${lang}`);
    await page.waitForSelector("body[data-ready=true]");
    if (user !== "alice") {
      await page.selectOption("#user", user);
      await page.waitForFunction((u) => document.body.dataset.user === u, user);
    }
  };

  // Compose box: an obfuscated English insult, a Japanese one stretched out, and a blocked term.
  await open("en");
  await page.locator("#compose-text").pressSequentially("Honestly you're a total 1d1ot. お前ほんとにばーーーか、し・ね");
  await page.locator("section.compose").screenshot({ path: join(out, "compose-warning.png") });

  // Timeline with a collapsed post (bob mutes ramen; one post revealed, one still folded).
  await page.fill("#compose-text", "");
  for (const text of ["Best tonkotsu ramen in town, queue was worth it", "The new ramen place downtown opened today"]) {
    await page.fill("#compose-text", text);
    await page.click("#post-button");
    await page.waitForFunction((t) => [...document.querySelectorAll("#timeline-list .text")].some((n) => n.textContent === t), text);
  }
  await open("en", "bob");
  while ((await page.locator("#mute-list li").count()) > 0) {
    await page.click("#mute-list li button");
    await page.waitForTimeout(200);
  }
  await page.fill("#mute-term", "ramen");
  await page.click("#mute-form button[type=submit]");
  await page.waitForSelector('.post.collapsed[data-muted-rule="ramen"]');
  await page.locator(".post.collapsed .muted-toggle").first().click();
  await page.locator("section.timeline").screenshot({ path: join(out, "timeline-collapsed.png") });
  await page.locator("section.mutes").screenshot({ path: join(out, "mute-panel.png") });

  // The report form in Japanese, after submitting an incomplete copyright report.
  await open("ja");
  await page.selectOption("#report-category", "copyright");
  await page.fill("#report-fields [name=comments]", "無断転載です。ご確認ください。");
  await page.click("#report-form button[type=submit]");
  await page.locator("section.report").screenshot({ path: join(out, "report-form.png") });

  // The whole page in Japanese.
  await open("ja");
  await page.locator("#compose-text").pressSequentially("今日はラーメン。ﾊﾞｶって言うな");
  await page.screenshot({ path: join(out, "page-ja.png"), fullPage: true });
  console.log(`screenshots written to ${out}`);
} finally {
  await chromium.close();
  await demo.stop();
}
