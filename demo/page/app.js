// The termgate demo page: a compose box checked as you type, a timeline with a mute list, a problem
// report form. All filtering runs in the browser module (/pkg/termgate_browser.js); the edge worker in
// front of the demo origin applies the same rules again, so a post that skips the browser check is still
// stopped there.
import init, { TermSet, Scanner, reportCategories, reportProblems } from "/pkg/termgate_browser.js";

/** The edge's routes (see docs/edge.md). */
const API = {
  login: "/_demo/login",
  globalSet: "/_termgate/sets/default.tgs",
  posts: "/api/posts",
  timeline: "/api/timeline",
  mutes: "/_termgate/mutes",
  reports: "/_termgate/reports",
};

// ---------------------------------------------------------------------------------------------------
// UI text
const TEXT = {
  en: {
    skip: "Skip to the compose box",
    subtitle: "demo social network",
    signedInAs: "Signed in as",
    loading: "Loading the filter…",
    ready: (rules, ms, kb) => `Filter ready in your browser: ${rules} rules in the global set (${kb} KB), loaded in ${ms} ms.`,
    noGlobal: (why) => `The global term set could not be loaded (${why}); only your mute list applies.`,
    composeTitle: "New post",
    composePlaceholder: "What's happening?",
    composeHelp: "Checked in your browser as you type, with the same rules the server applies.",
    skipCheck: "Skip the browser check (let the edge decide)",
    post: "Post",
    verdictTitle: {
      block: "This post can't be sent: it matches a blocked term.",
      flag: "This post will be sent for review.",
      warn: "Heads up: this post contains a term others may find offensive.",
    },
    matchLine: (rules, category) => {
      const names = rules.map((r) => `“${r}”`).join(", ");
      const head = `${rules.length > 1 ? "rules" : "rule"} ${names}`;
      return category ? `${head} · category: ${category}` : head;
    },
    posted: "Posted.",
    postFailed: "The edge refused the post:",
    edgeMatch: (field) => `matched in ${field}:`,
    matchesOmitted: (n) => `and ${n} more ${n === 1 ? "match" : "matches"}.`,
    retryAfter: (s) => `Try again in ${s} ${s === "1" ? "second" : "seconds"}.`,
    networkError: "Network error:",
    timelineTitle: "Timeline",
    refresh: "Refresh",
    hiddenNote: (n) => n === 1 ? "1 post hidden by your mute list." : `${n} posts hidden by your mute list.`,
    empty: "No posts yet.",
    mutedLabel: (rule) => `muted: ${rule}`,
    showPost: "show",
    hidePost: "hide again",
    mutesTitle: "Muted words",
    mutesHelp: "Compiled in your browser and saved to your account at the edge.",
    muteTerm: "Word or phrase",
    muteAction: "When it appears",
    collapse: "Collapse the post",
    hide: "Hide the post",
    muteUntil: "Until (optional)",
    muteAdd: "Add",
    muteRemove: "Remove",
    muteRemoveLabel: (term) => `Remove “${term}”`,
    muteSaved: (n, bytes) => `Saved ${n} muted ${n === 1 ? "word" : "words"} (${bytes} bytes compiled).`,
    muteCleared: "Mute list cleared.",
    muteError: "Your mute list could not be compiled:",
    muteSaveError: "The edge did not save your mute list:",
    modeName: { hide: "hide", collapse: "collapse" },
    untilText: (d) => `until ${d}`,
    reportTitle: "Report a problem",
    reportCategory: "What kind of problem?",
    reportSend: "Send report",
    reportMissing: "Please fill in:",
    reportSent: (id) => `Report received${id ? ` (id ${id})` : ""}. Thank you.`,
    reportRefused: "The edge refused the report:",
  },
  ja: {
    skip: "投稿欄へ移動",
    subtitle: "デモ用ソーシャルネットワーク",
    signedInAs: "ログイン中のユーザー",
    loading: "フィルターを読み込み中…",
    ready: (rules, ms, kb) => `ブラウザー内のフィルターを準備しました: 全体の語句セット ${rules} 件（${kb} KB）、読み込み ${ms} ms。`,
    noGlobal: (why) => `全体の語句セットを読み込めませんでした（${why}）。ミュートリストのみ適用します。`,
    composeTitle: "新規投稿",
    composePlaceholder: "いまどうしてる？",
    composeHelp: "入力中にブラウザー内で、サーバーと同じルールで確認します。",
    skipCheck: "ブラウザーでの確認を省略する（エッジに判定させる）",
    post: "投稿する",
    verdictTitle: {
      block: "この投稿は送信できません: ブロック対象の語句が含まれています。",
      flag: "この投稿は確認のため報告されます。",
      warn: "ご注意: 不快に感じる人がいる語句が含まれています。",
    },
    matchLine: (rules, category) => {
      const head = `ルール${rules.map((r) => `「${r}」`).join("")}`;
      return category ? `${head}・カテゴリー: ${category}` : head;
    },
    posted: "投稿しました。",
    postFailed: "エッジが投稿を拒否しました:",
    edgeMatch: (field) => `${field} で一致:`,
    matchesOmitted: (n) => `ほか ${n} 件の一致。`,
    retryAfter: (s) => `${s} 秒後にもう一度お試しください。`,
    networkError: "ネットワークエラー:",
    timelineTitle: "タイムライン",
    refresh: "更新",
    hiddenNote: (n) => `ミュートにより ${n} 件の投稿を非表示にしています。`,
    empty: "まだ投稿はありません。",
    mutedLabel: (rule) => `ミュート中: ${rule}`,
    showPost: "表示する",
    hidePost: "再び隠す",
    mutesTitle: "ミュートする語句",
    mutesHelp: "ブラウザー内でコンパイルし、エッジのあなたのアカウントに保存します。",
    muteTerm: "語句",
    muteAction: "含まれているとき",
    collapse: "投稿を折りたたむ",
    hide: "投稿を非表示にする",
    muteUntil: "期限（任意）",
    muteAdd: "追加",
    muteRemove: "削除",
    muteRemoveLabel: (term) => `「${term}」を削除`,
    muteSaved: (n, bytes) => `${n} 件のミュート語句を保存しました（コンパイル後 ${bytes} バイト）。`,
    muteCleared: "ミュートリストを空にしました。",
    muteError: "ミュートリストをコンパイルできませんでした:",
    muteSaveError: "エッジがミュートリストを保存しませんでした:",
    modeName: { hide: "非表示", collapse: "折りたたみ" },
    untilText: (d) => `${d} まで`,
    reportTitle: "問題を報告する",
    reportCategory: "問題の種類",
    reportSend: "報告を送信",
    reportMissing: "次の項目を入力してください:",
    reportSent: (id) => `報告を受け付けました${id ? `（ID ${id}）` : ""}。ありがとうございます。`,
    reportRefused: "エッジが報告を受け付けませんでした:",
  },
};

/** Category names for the form and messages, from the module's report categories (filled at start). */
const CATEGORY_LABELS = {};
/** The seed documents' order, which the form follows. */
const CATEGORY_ORDER = ["spam", "unauthorized-access", "malware", "tampering", "phishing", "copyright",
  "defamation", "privacy", "personal-info", "portrait", "trademark", "illegal", "nuisance", "harassment", "other"];

const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? "" : value);
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined));
  return node;
};

const state = {
  lang: "en",
  token: null,
  user: "alice",
  global: null, // TermSet
  mutes: [], // [{term, action, until}] the user's mute list as edited here
  muteSet: null, // TermSet compiled from `mutes`
  muteScanner: null, // Scanner over `muteSet`, for the timeline
  composeScanner: null, // Scanner over the global set
  composing: false,
  lastCheck: null,
  posts: [],
  edgeHidden: 0, // posts the edge removed from the last timeline
  categories: [],
  engineStatus: null,
};
const t = () => TEXT[state.lang];

// ---------------------------------------------------------------------------------------------------
// Language
function chooseLanguage() {
  const fromQuery = new URLSearchParams(location.search).get("lang");
  const saved = localStorage.getItem("termgate-lang");
  const fromBrowser = (navigator.language || "en").toLowerCase().startsWith("ja") ? "ja" : "en";
  return [fromQuery, saved, fromBrowser].find((l) => l === "en" || l === "ja");
}

function setLanguage(lang) {
  state.lang = lang;
  localStorage.setItem("termgate-lang", lang);
  document.documentElement.lang = lang;
  for (const node of document.querySelectorAll("[data-i18n]")) {
    const value = t()[node.dataset.i18n];
    if (typeof value === "string") node.textContent = value;
  }
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) {
    node.placeholder = t()[node.dataset.i18nPlaceholder];
  }
  for (const button of document.querySelectorAll(".lang-btn")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === lang));
  }
  renderEngineStatus();
  renderCompose();
  renderMutes();
  renderTimeline();
  renderReportForm();
}

function renderEngineStatus() {
  const s = state.engineStatus;
  const node = $("engine-status");
  if (!s) return;
  node.classList.toggle("error", Boolean(s.error));
  node.textContent = s.error ? t().noGlobal(s.error) : t().ready(s.rules, s.ms, s.kb);
}

// ---------------------------------------------------------------------------------------------------
// Talking to the edge
function headers(extra = {}) {
  const h = { "Accept-Language": state.lang === "ja" ? "ja" : "en", ...extra };
  if (state.token) h.Authorization = `Bearer ${state.token}`;
  return h;
}

async function login(user) {
  const response = await fetch(API.login, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ user }),
  });
  if (!response.ok) throw new Error(`login: HTTP ${response.status}`);
  const body = await response.json();
  state.token = body.token;
  state.user = user;
}

/** `{status, ok, body, retryAfter}` where body is parsed JSON when the reply is JSON, else text. */
async function send(url, options) {
  const response = await fetch(url, options);
  const type = response.headers.get("Content-Type") || "";
  const body = type.includes("json") ? await response.json().catch(() => null) : await response.text();
  return { status: response.status, ok: response.ok, body, retryAfter: response.headers.get("Retry-After") };
}

/** The edge's answer: its status and message; for a refusal, what the edge says matched (a blocked
 * post's `matches`, with the text each one covers when `sent` has that field) and when to try again. */
function showReply(node, { status, ok, body, retryAfter }, okText, badText, sent = {}) {
  node.className = `reply ${ok ? "ok" : "bad"}`;
  const detail = ok ? okText : `${badText} ${(body && (body.message || body.error)) || (typeof body === "string" ? body : "")}`;
  const parts = [el("span", { class: "status" }, String(status)), detail];
  if (!ok && retryAfter) parts.push(" ", el("span", { class: "retry" }, t().retryAfter(retryAfter)));
  if (!ok && body && Array.isArray(body.matches) && body.matches.length > 0) {
    parts.push(el("ul", { class: "edge-matches" }, body.matches.map((m) => {
      const key = typeof m.field === "string" ? m.field.slice(1) : "";
      const text = typeof sent[key] === "string" ? sent[key] : null;
      return el("li", { class: `match ${m.action}`, dataset: { rule: m.rule, field: m.field } },
        t().matchLine([m.rule], categoryLabel(m.category)),
        text === null ? null : [" — ", t().edgeMatch(m.field), " ", el("code", {}, text.slice(m.start_utf16, m.end_utf16))]);
    })));
  }
  if (!ok && body && body.matches_omitted > 0) parts.push(el("p", { class: "omitted" }, t().matchesOmitted(body.matches_omitted)));
  node.replaceChildren(...parts);
}

// ---------------------------------------------------------------------------------------------------
// Compose box
function check() {
  const text = $("compose-text").value;
  state.lastCheck = state.composeScanner && !$("skip-check").checked ? state.composeScanner.check(text) : null;
  renderCompose();
}

/** Merges overlapping spans so that the backdrop can mark them with non-nested <mark>s. */
function mergeSpans(matches) {
  const spans = [];
  for (const m of matches) {
    const last = spans[spans.length - 1];
    if (last && m.start < last.end) {
      last.end = Math.max(last.end, m.end);
      last.matches.push(m);
    } else {
      spans.push({ start: m.start, end: m.end, matches: [m] });
    }
  }
  return spans;
}

/** One line per place and kind: rules that matched the same span with the same action and category
 * (`ばか` and `バカ` on `ばーーーか`) are named together. */
function groupMatches(matches) {
  const groups = [];
  for (const m of matches) {
    const same = groups.find((g) => g.start === m.start && g.end === m.end && g.action === m.action && g.category === m.category);
    if (same) same.rules.push(m.rule);
    else groups.push({ start: m.start, end: m.end, action: m.action, category: m.category, rules: [m.rule] });
  }
  return groups;
}

const STRENGTH = ["block", "flag", "warn", "hide", "collapse"];
const strongest = (matches) => STRENGTH.find((a) => matches.some((m) => m.action === a)) || "warn";

function renderCompose() {
  const text = $("compose-text").value;
  const result = state.composing ? null : state.lastCheck;
  const backdrop = $("compose-highlight");
  const parts = [];
  let at = 0;
  for (const span of result ? mergeSpans(result.matches) : []) {
    parts.push(text.slice(at, span.start));
    parts.push(el("mark", {
      class: strongest(span.matches),
      dataset: { start: span.start, end: span.end, rule: span.matches.map((m) => m.rule).join(" ") },
    }, text.slice(span.start, span.end)));
    at = span.end;
  }
  // A trailing newline needs a character after it to take up a line in the backdrop.
  parts.push(text.slice(at) + "\u200b");
  backdrop.replaceChildren(...parts);
  backdrop.scrollTop = $("compose-text").scrollTop;

  const message = $("compose-message");
  const verdict = result ? result.verdict : "allow";
  message.dataset.verdict = verdict;
  if (!result || !["block", "flag", "warn"].includes(verdict)) {
    message.replaceChildren();
  } else {
    message.replaceChildren(el("div", { class: `verdict ${verdict}` },
      el("p", {}, t().verdictTitle[verdict]),
      el("ul", {}, groupMatches(result.matches).map((g) =>
        el("li", { class: "match", dataset: { rule: g.rules[0], rules: g.rules.join("\n"), category: g.category || "" } },
          t().matchLine(g.rules, categoryLabel(g.category)),
          " — ", el("code", {}, text.slice(g.start, g.end)))))));
  }
  $("post-button").disabled = verdict === "block" || text.trim() === "";
}

async function post() {
  const text = $("compose-text").value;
  const reply = $("post-reply");
  try {
    const result = await send(API.posts, {
      method: "POST",
      headers: headers({ "Content-Type": "application/json" }),
      body: JSON.stringify({ text }),
    });
    showReply(reply, result, t().posted, t().postFailed, { text });
    if (result.ok) {
      $("compose-text").value = "";
      check();
      await loadTimeline();
    }
  } catch (error) {
    showReply(reply, { status: "—", ok: false, body: { message: error.message } }, "", t().networkError);
  }
}

// ---------------------------------------------------------------------------------------------------
// Timeline
async function loadTimeline() {
  const response = await fetch(API.timeline, { headers: headers() });
  const body = response.ok ? await response.json().catch(() => null) : null;
  state.posts = body && Array.isArray(body.posts) ? body.posts : [];
  // The edge removes hidden posts itself and says how many: `termgate-muted: hidden=N, collapsed=M`.
  const muted = /hidden=(\d+)/.exec(response.headers.get("termgate-muted") || "");
  state.edgeHidden = muted ? Number(muted[1]) : 0;
  renderTimeline();
}

function renderTimeline() {
  const list = $("timeline-list");
  const open = new Set([...list.querySelectorAll(".post.revealed")].map((n) => n.dataset.id));
  // The edge already removed posts matching a saved `hide` rule and marked saved `collapse` matches;
  // the local scan applies the list as edited here right away, all posts in one call.
  const local = state.muteScanner
    ? state.muteScanner.checkMany(state.posts.map((p) => String(p.text ?? "")))
    : state.posts.map(() => null);
  let hidden = state.edgeHidden;
  const items = [];
  state.posts.forEach((p, i) => {
    const mine = local[i];
    if (mine && mine.verdict === "hide") {
      hidden += 1;
      return;
    }
    const edgeRule = p.termgate && p.termgate.muted ? p.termgate.rule : null;
    const rule = mine && mine.verdict === "collapse" ? mine.matches[0].rule : edgeRule;
    const id = String(p.id);
    const textNode = el("p", { class: "text", id: `post-text-${id}` }, String(p.text ?? ""));
    const item = el("li", { class: "post", dataset: { id } }, el("div", { class: "author" }, `@${p.author ?? "?"}`));
    if (rule !== null && rule !== undefined) {
      const revealed = open.has(id);
      item.classList.add("collapsed");
      item.classList.toggle("revealed", revealed);
      item.dataset.mutedRule = rule;
      textNode.hidden = !revealed;
      const toggle = el("button", {
        type: "button", class: "muted-toggle", "aria-expanded": String(revealed), "aria-controls": textNode.id,
        onclick: () => {
          const show = textNode.hidden;
          textNode.hidden = !show;
          item.classList.toggle("revealed", show);
          toggle.setAttribute("aria-expanded", String(show));
          toggle.lastChild.textContent = show ? t().hidePost : t().showPost;
        },
      }, el("span", { class: "muted-label" }, t().mutedLabel(rule)), " · ", el("span", {}, revealed ? t().hidePost : t().showPost));
      item.append(toggle);
    }
    item.append(textNode);
    items.push(item);
  });
  list.replaceChildren(...items);
  $("timeline-note").textContent = hidden ? t().hiddenNote(hidden) : state.posts.length ? "" : t().empty;
  $("timeline-note").dataset.hidden = String(hidden);
}

// ---------------------------------------------------------------------------------------------------
// Mute list
/** The mute entries as a term list: one `[action until=...]` section per mode and expiry. */
function muteList(entries) {
  const sections = new Map();
  for (const e of entries) {
    const header = `[${e.action}${e.until ? ` until=${e.until}` : ""}]`;
    if (!sections.has(header)) sections.set(header, []);
    sections.get(header).push(e.term);
  }
  return [...sections].map(([header, terms]) => [header, ...terms].join("\n")).join("\n") + "\n";
}

async function saveMutes(entries) {
  const status = $("mute-status");
  let compiled = null;
  if (entries.length) {
    try {
      compiled = TermSet.compile(muteList(entries));
    } catch (error) {
      status.className = "reply bad";
      status.textContent = `${t().muteError} ${error.message}`;
      return false;
    }
  }
  // The edge takes the term list and compiles it itself: it does not load compiled bytes from
  // users (a checksum catches corruption, not forgery). Compiling here checks the list first and
  // applies it to the timeline at once.
  const result = compiled
    ? await send(API.mutes, {
        method: "PUT",
        headers: headers({ "Content-Type": "text/plain; charset=utf-8" }),
        body: compiled.toList(),
      })
    : await send(API.mutes, { method: "DELETE", headers: headers() });
  if (!result.ok) {
    showReply(status, result, "", t().muteSaveError);
    return false;
  }
  state.mutes = entries;
  setMuteSet(compiled);
  status.className = "reply ok";
  status.textContent = compiled ? t().muteSaved(entries.length, compiled.info.bytes) : t().muteCleared;
  renderMutes();
  renderTimeline();
  await loadTimeline();
  return true;
}

/** Replaces the mute set and its scanner, freeing the old ones' wasm memory now rather than at GC. */
function setMuteSet(set) {
  state.muteScanner?.free();
  state.muteSet?.free();
  state.muteSet = set;
  state.muteScanner = set ? new Scanner(set) : null;
}

/** The signed-in user's saved mute list, fetched from the edge as compiled bytes. */
async function loadMutes() {
  state.mutes = [];
  setMuteSet(null);
  const response = await fetch(API.mutes, { headers: headers({ Accept: "application/octet-stream" }) });
  if (response.ok) {
    try {
      setMuteSet(TermSet.fromBytes(new Uint8Array(await response.arrayBuffer())));
      state.mutes = state.muteSet.rules()
        .filter((r) => r.action === "hide" || r.action === "collapse")
        .map((r) => ({ term: r.text, action: r.action, until: r.expires === null ? null : isoMinute(r.expires * 1000) }));
    } catch (error) {
      $("mute-status").textContent = `${t().muteError} ${error.message}`;
    }
  }
  renderMutes();
}

/** `2026-12-31T00:00Z`: the form `until=` takes. */
const isoMinute = (ms) => new Date(ms).toISOString().slice(0, 16) + "Z";

function renderMutes() {
  $("mute-list").replaceChildren(...state.mutes.map((e, i) =>
    el("li", { dataset: { term: e.term, action: e.action } },
      el("span", {}, el("code", {}, e.term),
        el("span", { class: "meta" }, t().modeName[e.action], e.until ? ` · ${t().untilText(e.until)}` : "")),
      el("button", {
        type: "button", class: "small", "aria-label": t().muteRemoveLabel(e.term),
        onclick: () => saveMutes(state.mutes.filter((_, j) => j !== i)),
      }, t().muteRemove))));
}

async function addMute(event) {
  event.preventDefault();
  const term = $("mute-term").value.trim();
  if (!term) return;
  const local = $("mute-until").value;
  const until = local ? isoMinute(new Date(local).getTime()) : null;
  const entry = { term, action: $("mute-action").value, until };
  if (await saveMutes([...state.mutes, entry])) {
    $("mute-term").value = "";
    $("mute-until").value = "";
    $("mute-term").focus();
  }
}

// ---------------------------------------------------------------------------------------------------
// Problem reports
function categoryLabel(id) {
  if (!id) return null;
  const labels = CATEGORY_LABELS[id];
  return labels ? labels[state.lang === "ja" ? 1 : 0] : id;
}

function renderReportForm() {
  const select = $("report-category");
  const current = select.value || (state.categories[0] && state.categories[0].id);
  select.replaceChildren(...state.categories.map((c) => el("option", { value: c.id }, categoryLabel(c.id))));
  if (current) select.value = current;
  renderReportFields();
}

function renderReportFields() {
  const container = $("report-fields");
  const values = Object.fromEntries([...container.querySelectorAll("[name]")].map((n) => [n.name, n.value]));
  const category = state.categories.find((c) => c.id === $("report-category").value);
  container.replaceChildren(...(category ? category.fields : []).flatMap((f) => [
    el("label", { for: `report-${f.name}` }, f.label[state.lang]),
    f.kind === "multiline"
      ? el("textarea", { id: `report-${f.name}`, name: f.name, rows: 3, "aria-required": "true", dataset: { kind: f.kind } })
      : el("input", {
          id: `report-${f.name}`, name: f.name, type: "text", "aria-required": "true", dataset: { kind: f.kind },
          placeholder: f.kind === "url" ? "https://" : f.kind === "datetime" ? "2026-11-28 10:15 JST" : null,
        }),
  ]));
  for (const node of container.querySelectorAll("[name]")) {
    if (values[node.name]) node.value = values[node.name];
  }
  $("report-errors").replaceChildren();
}

async function submitReport(event) {
  event.preventDefault();
  const category = $("report-category").value;
  const inputs = [...$("report-fields").querySelectorAll("[name]")];
  const fields = Object.fromEntries(inputs.map((n) => [n.name, n.value]));
  // The same check the edge makes (termgate::report::validate), before anything is sent.
  const problems = reportProblems(category, fields);
  const errors = $("report-errors");
  const bad = new Set(problems.map((p) => p.field));
  for (const node of inputs) node.setAttribute("aria-invalid", String(bad.has(node.name)));
  if (problems.length) {
    errors.replaceChildren(el("p", {}, t().reportMissing),
      el("ul", {}, problems.map((p) =>
        el("li", { dataset: { field: p.field, problem: p.problem } },
          `${p.label[state.lang]} (${p.description[state.lang]})`))));
    $(`report-${problems[0].field}`).focus();
    return;
  }
  errors.replaceChildren();
  const result = await send(API.reports, {
    method: "POST",
    headers: headers({ "Content-Type": "application/json" }),
    body: JSON.stringify({ category, fields }),
  });
  showReply($("report-reply"), result, t().reportSent(result.body && result.body.id), t().reportRefused);
  if (result.ok) for (const node of inputs) node.value = "";
}

// ---------------------------------------------------------------------------------------------------
async function loadGlobalSet() {
  const started = performance.now();
  try {
    const response = await fetch(API.globalSet);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const loadStart = performance.now();
    state.global = TermSet.fromBytes(bytes);
    const elapsed = performance.now() - loadStart;
    // performance.now() is coarse on a page that is not cross-origin isolated (100 µs in Chromium).
    const ms = elapsed < 0.1 ? "< 0.1" : elapsed.toFixed(1);
    state.engineStatus = { rules: state.global.info.rules, ms, kb: (bytes.length / 1024).toFixed(1), fetchMs: performance.now() - started };
    state.composeScanner = new Scanner(state.global);
    // The first checks run before the engine's code is optimized; spend them now, not on a keystroke.
    for (let i = 0; i < 3; i++) state.composeScanner.check("warm up the scanner: 準備 ﾃｽﾄ s.p.a.m");
  } catch (error) {
    state.engineStatus = { error: error.message };
  }
}

async function main() {
  await init();
  const categories = reportCategories();
  for (const c of categories) CATEGORY_LABELS[c.id] = [c.label.en, c.label.ja];
  state.categories = CATEGORY_ORDER.map((id) => categories.find((c) => c.id === id)).filter(Boolean);
  state.lang = chooseLanguage();
  await loadGlobalSet();
  try {
    await login($("user").value);
  } catch (error) {
    $("post-reply").textContent = `${TEXT[state.lang].networkError} ${error.message}`;
  }
  await loadMutes();
  setLanguage(state.lang);

  const compose = $("compose-text");
  compose.addEventListener("compositionstart", () => {
    state.composing = true;
  });
  compose.addEventListener("compositionend", () => {
    state.composing = false;
    check();
  });
  compose.addEventListener("input", (event) => {
    if (event.isComposing || state.composing) renderCompose();
    else check();
  });
  compose.addEventListener("scroll", () => {
    $("compose-highlight").scrollTop = compose.scrollTop;
  });
  $("skip-check").addEventListener("change", check);
  $("post-button").addEventListener("click", post);
  $("timeline-refresh").addEventListener("click", loadTimeline);
  $("mute-form").addEventListener("submit", addMute);
  $("report-category").addEventListener("change", renderReportFields);
  $("report-form").addEventListener("submit", submitReport);
  for (const button of document.querySelectorAll(".lang-btn")) {
    button.addEventListener("click", () => setLanguage(button.dataset.lang));
  }
  $("user").addEventListener("change", async (event) => {
    try {
      await login(event.target.value);
      await loadMutes();
      await loadTimeline();
      document.body.dataset.user = state.user;
    } catch (error) {
      showReply($("mute-status"), { status: "—", ok: false, body: { message: error.message } }, "", t().networkError);
    }
  });
  check();
  await loadTimeline();
  document.body.dataset.user = state.user;
  document.body.dataset.ready = "true";
}

main().catch((error) => {
  const node = $("engine-status");
  node.classList.add("error");
  node.textContent = `termgate: ${error.message}`;
  document.body.dataset.ready = "error";
});
