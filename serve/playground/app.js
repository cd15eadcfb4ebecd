/* loraloop playground: try the serve → feedback → rollout loop by hand, in plain JS (no build step, no CDN).
 *
 * Talks to the server's HTTP frontend, same origin, absolute paths:
 *   GET  /v1/models                      adapters for the picker
 *   POST /v1/chat/completions            streamed (SSE) answers; the whole history is sent each turn
 *   POST /v1/feedback                    thumbs, copy, correction, dwell
 *   GET  /loraloop/v1/rollouts?domain=…  the rollout panel
 *   GET  /health                         the badge in the header
 * A regenerate is a new chat request with `regenerate_of` (the server records the REGENERATE signal itself).
 *
 * Element hooks: stable, tests/serve/test_playground.py relies on them.
 *   #model              <select>: "" = auto (the intent router picks), "base", "<domain>", "<domain>@v<N>"
 *   #temperature        <input type=number>, sent when set
 *   #max-tokens         <input type=number>, sent when set
 *   #prompt             <textarea>: Enter sends, Shift+Enter is a new line
 *   #send, #stop        send the prompt; abort the answer being streamed
 *   #new-conversation   forget the history, new conversation_id
 *   #ids                the sticky user id (localStorage) and the conversation id
 *   #error              page-level errors (models not loaded, ...)
 *   #conversation       the messages: .message.user and .message.answer, in order
 *   #model[data-loaded] set once /v1/models filled the picker
 *   #rollout            the rollout panel; data-domain (the domain it shows, also in #rollout-domain), data-status
 *                       (running, ..., or none); #health: the health badge
 *   .answer             one answer. data-state: streaming | done | stopped | error;
 *                       data-response-id (r-…), data-adapter (medical@v1 | base), data-arm (stable | canary | pinned)
 *   .answer .text       the answer's text (streamed in)
 *   .answer .meta       "medical@v1 · arm stable · route medical 0.93 · stop · 12 tokens · r-…"
 *   .answer .error      the error, when data-state is error
 *   .answer button.thumbs-up / button.thumbs-down / button.regenerate / button.copy
 *                       enabled once the answer is complete (regenerate: on the latest answer only; a stopped
 *                       answer is not recorded by the server, so it takes no signals and regenerates as a new ask)
 *   .answer button.correct       shows the correction box below
 *   .answer .correction textarea / .answer .correction button   write and send a CORRECTION
 *   .answer .ack        acknowledgement of the last signal: data-kind (THUMBS_DOWN, ...), data-status (ok | failed)
 *
 * Dwell: an answer is being read from the moment it is complete (or, if the tab was hidden then, from when the
 * tab becomes visible) until the first of: the next message is sent, it is regenerated, a new conversation starts,
 * or the page is hidden (tab switch, minimise, close). That time is sent once per answer as DWELL (dwell_ms > 0),
 * with fetch keepalive so it survives the page closing.
 */
"use strict";

(() => {
  const ROLLOUT_REFRESH_MS = 5000;
  const HEALTH_REFRESH_MS = 10000;
  const MODELS_RETRY_MS = 3000;
  const MAX_DWELL_MS = 24 * 3600 * 1000;  // the server's default limit (FeedbackConfig.max_dwell_ms)
  const USER_KEY = "loraloop.playground.user";
  const ACTIVE_ROLLOUT = ["running", "paused", "inconclusive"];
  const THUMBS_LABEL = {THUMBS_UP: "thumbs up", THUMBS_DOWN: "thumbs down"};

  const $ = (selector, root = document) => root.querySelector(selector);
  const el = {
    model: $("#model"), temperature: $("#temperature"), maxTokens: $("#max-tokens"), prompt: $("#prompt"),
    send: $("#send"), stop: $("#stop"), newConversation: $("#new-conversation"), ids: $("#ids"), error: $("#error"),
    conversation: $("#conversation"), rollout: $("#rollout"), rolloutDomain: $("#rollout-domain"),
    health: $("#health"), template: $("#answer-template"), composer: $("#composer"), controls: $("#controls"),
  };

  /** A random id with a prefix; crypto.randomUUID needs a secure context, getRandomValues does not. */
  function randomId(prefix) {
    if (window.crypto && crypto.randomUUID && window.isSecureContext) return prefix + crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  /** The sticky unit id: kept in localStorage, so the same person keeps their A/B arm across visits. */
  function stickyUser() {
    let id = null;
    try { id = localStorage.getItem(USER_KEY); } catch (_) { /* storage disabled: a per-page id */ }
    if (!id) {
      id = randomId("u-");
      try { localStorage.setItem(USER_KEY, id); } catch (_) { /* ignore */ }
    }
    return id;
  }

  const state = {
    user: stickyUser(),
    conversationId: randomId("c-"),
    history: [],        // turns sent each time: {role, content}; assistant turns also carry `answer`
    busy: false,
    controller: null,   // AbortController of the chat being streamed
    baseName: "",       // the base model's id in /v1/models
    domains: new Set(), // the adapters' domains in /v1/models: the ones that can have a rollout
    lastAnswer: null,   // the latest complete answer (its domain and arm feed the rollout panel)
  };

  /** Builds an element: h("td", {class: "x"}, "text", child, ...). Text goes in as text, never as HTML. */
  function h(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v !== undefined && v !== null) node.setAttribute(k, v);
    }
    for (const c of children) node.append(c instanceof Node ? c : String(c));
    return node;
  }

  class ApiError extends Error {
    constructor(status, error) {
      const e = error || {};
      const where = e.param ? ` (${e.param})` : "";
      super(`${status} ${e.code || e.type || "error"}${where}: ${e.message || "no message"}`);
      this.status = status;
      this.error = e;
    }
  }

  /** The error of a non-2xx response, from the OpenAI-style body {"error": {...}} when there is one. */
  async function httpError(response) {
    const text = await response.text().catch(() => "");
    try {
      const body = JSON.parse(text);
      return new ApiError(response.status, body.error || {message: text});
    } catch (_) {
      return new ApiError(response.status, {message: text.slice(0, 300) || response.statusText});
    }
  }

  /** Request headers with the API key, when one was typed (servers with keys refuse calls without one). */
  function withKey(headers) {
    const key = document.getElementById("api-key").value.trim();
    return key ? {...headers, authorization: `Bearer ${key}`} : headers;
  }

  async function getJson(url) {
    const response = await fetch(url, {headers: withKey({accept: "application/json"}), cache: "no-store"});
    if (!response.ok) throw await httpError(response);
    return response.json();
  }

  function showError(message) {
    el.error.textContent = message || "";
    el.error.hidden = !message;
  }

  function showIds() {
    el.ids.textContent = `user ${state.user} · conversation ${state.conversationId}`;
  }

  function setBusy(busy) {
    state.busy = busy;
    el.send.disabled = busy;
    el.stop.hidden = !busy;
    for (const turn of state.history) {
      if (turn.answer) turn.answer.syncButtons();
    }
  }

  function nearBottom() {
    return window.innerHeight + window.scrollY >= document.body.scrollHeight - 120;
  }

  // ---------------------------------------------------------------- answers

  /** One answer on the page: its element, what answered it, its text, and its feedback state. */
  class Answer {
    constructor({regenerateOf = ""} = {}) {
      this.el = el.template.content.firstElementChild.cloneNode(true);
      this.textEl = $(".text", this.el);
      this.metaEl = $(".meta", this.el);
      this.errorEl = $(".error", this.el);
      this.ackEl = $(".ack", this.el);
      this.correctionEl = $(".correction", this.el);
      this.buttons = {
        up: $("button.thumbs-up", this.el), down: $("button.thumbs-down", this.el),
        regenerate: $("button.regenerate", this.el), copy: $("button.copy", this.el),
        correct: $("button.correct", this.el), sendCorrection: $(".correction button", this.el),
      };
      this.id = "";
      this.text = "";
      this.model = "";
      this.adapter = "";
      this.arm = "";
      this.route = null;
      this.finishReason = "";
      this.usage = null;
      this.note = "";
      this.regenerateOf = regenerateOf;
      this.complete = false;
      this.recorded = true;  // false once stopped: the server records only answers that finished
      this.latest = true;
      this.vote = "";       // THUMBS_UP | THUMBS_DOWN once sent
      this.dwellSent = false;
      this.wire();
      this.renderMeta();
    }

    wire() {
      const b = this.buttons;
      b.up.addEventListener("click", () => this.thumbs("THUMBS_UP"));
      b.down.addEventListener("click", () => this.thumbs("THUMBS_DOWN"));
      b.regenerate.addEventListener("click", () => regenerate(this));
      b.copy.addEventListener("click", () => this.copy());
      b.correct.addEventListener("click", () => {
        this.correctionEl.hidden = !this.correctionEl.hidden;
        const box = $("textarea", this.correctionEl);
        if (!this.correctionEl.hidden) {
          if (!box.value) box.value = this.text;  // start from the answer: the user edits it into the right one
          box.focus();
        }
      });
      b.sendCorrection.addEventListener("click", () => this.sendCorrection());
    }

    /** Reads the x-loraloop-* headers: what answers is known before the first chunk. */
    fromHeaders(headers) {
      this.id = headers.get("x-loraloop-response-id") || this.id;
      this.adapter = headers.get("x-loraloop-adapter") || this.adapter;
      this.arm = headers.get("x-loraloop-arm") || this.arm;
      const domain = headers.get("x-loraloop-route-domain");
      if (domain) this.route = {domain, confidence: Number(headers.get("x-loraloop-route-confidence"))};
      this.renderMeta();
    }

    /** Applies one chat.completion.chunk. */
    applyChunk(chunk) {
      if (chunk.id) this.id = chunk.id;
      if (chunk.model) this.model = chunk.model;
      const ll = chunk.loraloop;
      if (ll) {
        if (ll.adapter) this.adapter = ll.adapter;
        if (ll.arm) this.arm = ll.arm;
        if (ll.route) this.route = ll.route;
      }
      for (const choice of chunk.choices || []) {
        const content = choice.delta && choice.delta.content;
        if (content) {
          const follow = nearBottom();
          this.text += content;
          this.textEl.append(content);
          if (follow) window.scrollTo(0, document.body.scrollHeight);
        }
        if (choice.finish_reason) this.finishReason = choice.finish_reason;
      }
      if (chunk.usage) this.usage = chunk.usage;
      this.renderMeta();
    }

    domain() {
      if (this.adapter && this.adapter !== "base") return this.adapter.split("@")[0];
      return "";
    }

    renderMeta() {
      const parts = [];
      if (!this.adapter) parts.push("waiting for the server…");
      else parts.push(this.adapter === "base" ? `base${this.model ? ` (${this.model})` : ""}` : this.adapter);
      if (this.arm) parts.push(`arm ${this.arm}`);
      if (this.route && this.route.domain) {
        const c = Number(this.route.confidence);
        parts.push(`route ${this.route.domain}${Number.isFinite(c) ? ` ${c.toFixed(2)}` : ""}`);
      }
      if (this.finishReason) parts.push(this.finishReason);
      if (this.usage && this.usage.completion_tokens !== undefined) parts.push(`${this.usage.completion_tokens} tokens`);
      if (this.regenerateOf) parts.push(`regenerated from ${this.regenerateOf}`);
      if (this.note) parts.push(this.note);
      if (this.id) parts.push(this.id);
      this.metaEl.textContent = parts.join(" · ");
      const data = this.el.dataset;
      data.responseId = this.id;
      data.adapter = this.adapter;
      data.arm = this.arm;
    }

    /** The stream ended: done (the server said [DONE]), stopped (the user aborted) or truncated. */
    finish(how) {
      this.complete = true;
      this.recorded = how !== "stopped";
      if (how === "truncated") this.note = "the stream ended before [DONE]";
      if (how === "stopped") this.note = "stopped: not recorded, so no feedback on it";
      this.el.dataset.state = how === "stopped" ? "stopped" : "done";
      this.renderMeta();
      this.syncButtons();
    }

    fail(message) {
      this.el.dataset.state = "error";
      this.errorEl.textContent = message;
      this.errorEl.hidden = false;
      this.renderMeta();
      this.syncButtons();
    }

    failed() {
      return this.el.dataset.state === "error";
    }

    setLatest(latest) {
      this.latest = latest;
      this.syncButtons();
    }

    syncButtons() {
      const ready = this.complete && Boolean(this.id) && this.recorded;  // the server can take signals on it
      const b = this.buttons;
      b.up.disabled = b.down.disabled = b.correct.disabled = b.sendCorrection.disabled = !ready;
      b.copy.disabled = !this.complete;
      b.regenerate.disabled = !this.complete || !this.latest || state.busy;
      b.regenerate.title = this.latest ? "Ask again for a new answer (replaces this one)"
        : "Only the latest answer can be regenerated";
      b.up.setAttribute("aria-pressed", String(this.vote === "THUMBS_UP"));
      b.down.setAttribute("aria-pressed", String(this.vote === "THUMBS_DOWN"));
    }

    ack(kind, message, ok = true) {
      this.ackEl.textContent = message;
      this.ackEl.classList.toggle("failed", !ok);
      this.ackEl.dataset.kind = kind;
      this.ackEl.dataset.status = ok ? "ok" : "failed";
    }

    /** Sends one signal for this answer and acknowledges it on the page; resolves to whether it was stored. */
    async signal(kind, label, extra = {}) {
      try {
        const reply = await sendFeedback(this.id, kind, extra);
        this.ack(kind, reply.duplicate ? `${label} (already recorded)` : `${label} recorded`);
        return true;
      } catch (e) {
        this.ack(kind, `${label} failed: ${e.message}`, false);
        return false;
      }
    }

    async thumbs(kind) {
      if (this.vote === kind) {
        this.ack(kind, `${THUMBS_LABEL[kind]} already recorded`);
        return;
      }
      const previous = this.vote;
      this.vote = kind;  // pressed at once; undone when the server refuses
      this.syncButtons();
      if (!(await this.signal(kind, THUMBS_LABEL[kind]))) {
        this.vote = previous;
        this.syncButtons();
      }
    }

    async copy() {
      if (!(await copyToClipboard(this.text))) this.ack("COPY", "copy failed: the browser refused the clipboard", false);
      else if (this.recorded) await this.signal("COPY", "copied,");
      else this.ack("COPY", "copied (a stopped answer takes no signals)");
    }

    async sendCorrection() {
      const box = $("textarea", this.correctionEl);
      const text = box.value.trim();
      if (!text) {
        this.ack("CORRECTION", "write the answer it should have given first", false);
        return;
      }
      this.buttons.sendCorrection.disabled = true;
      const ok = await this.signal("CORRECTION", "correction", {correction_text: text});
      this.buttons.sendCorrection.disabled = false;
      if (ok) this.correctionEl.hidden = true;
    }
  }

  async function copyToClipboard(text) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (_) {
      // No clipboard API (insecure context) or permission refused: the old way, from a selected textarea.
      const area = h("textarea", {style: "position:fixed;opacity:0;top:0;left:0", "aria-hidden": "true"});
      area.value = text;
      document.body.append(area);
      area.select();
      let ok = false;
      try { ok = document.execCommand("copy"); } catch (_) { ok = false; }
      area.remove();
      return ok;
    }
  }

  /** POST /v1/feedback. One retry on a network error, with the same idempotency key (stored once). */
  async function sendFeedback(responseId, kind, extra = {}, {keepalive = false} = {}) {
    const body = JSON.stringify({response_id: responseId, kind, idempotency_key: randomId(`${kind.toLowerCase()}-`),
      ...extra});
    const post = () => fetch("/v1/feedback", {method: "POST", headers: withKey({"content-type": "application/json"}), body,
      keepalive});
    let response;
    try {
      response = await post();
    } catch (_) {
      response = await post();
    }
    if (!response.ok) throw await httpError(response);
    return response.json();
  }

  // ---------------------------------------------------------------- dwell

  const dwell = {answer: null, since: null};

  /** The answer just completed is being read from now (or from when the page is next visible). */
  function startDwell(answer) {
    endDwell();
    dwell.answer = answer;
    dwell.since = document.visibilityState === "visible" ? performance.now() : null;
  }

  /** Reading ended: sends DWELL once for the answer that was being read, if it was visible at all. */
  function endDwell() {
    const answer = dwell.answer;
    if (!answer) return;
    const ms = dwell.since === null ? 0 : Math.round(performance.now() - dwell.since);
    dwell.answer = null;
    dwell.since = null;
    if (ms <= 0 || answer.dwellSent || !answer.id) return;
    answer.dwellSent = true;
    // keepalive: the request outlives the page when this runs on pagehide or a closing tab.
    sendFeedback(answer.id, "DWELL", {dwell_ms: Math.min(ms, MAX_DWELL_MS)}, {keepalive: true})
      .catch((e) => console.warn("loraloop playground: DWELL not recorded:", e.message));
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") endDwell();
    else if (dwell.answer && dwell.since === null) dwell.since = performance.now();
  });
  window.addEventListener("pagehide", endDwell);

  // ---------------------------------------------------------------- chat

  function sampling() {
    const out = {};
    const t = parseFloat(el.temperature.value);
    if (Number.isFinite(t)) out.temperature = t;
    const m = parseInt(el.maxTokens.value, 10);
    if (Number.isFinite(m) && m > 0) out.max_tokens = m;
    return out;
  }

  /** Handles one SSE event; true at [DONE]. An {"error": ...} event mid-stream throws. */
  function handleEvent(raw, answer) {
    const data = raw.split("\n").map((line) => line.replace(/\r$/, ""))
      .filter((line) => line.startsWith("data:")).map((line) => line.slice(5).replace(/^ /, "")).join("\n");
    if (!data) return false;  // a comment or keep-alive
    if (data.trim() === "[DONE]") return true;
    const chunk = JSON.parse(data);
    if (chunk.error) throw new ApiError("stream", chunk.error);
    answer.applyChunk(chunk);
    return false;
  }

  /** Streams one answer into `answer`; resolves to "done" or "truncated", throws on errors and aborts. */
  async function streamChat(messages, answer, regenerateOf) {
    const body = {
      model: el.model.value,
      messages: messages.map(({role, content}) => ({role, content})),
      stream: true,
      stream_options: {include_usage: true},
      user: state.user,
      conversation_id: state.conversationId,
      ...sampling(),
    };
    if (regenerateOf) body.regenerate_of = regenerateOf;
    state.controller = new AbortController();
    const response = await fetch("/v1/chat/completions", {
      method: "POST", headers: withKey({"content-type": "application/json", accept: "text/event-stream"}),
      body: JSON.stringify(body), signal: state.controller.signal,
    });
    if (!response.ok) throw await httpError(response);
    answer.fromHeaders(response.headers);
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    const boundary = /\r?\n\r?\n/;
    let buffer = "";
    for (;;) {
      const {value, done} = await reader.read();
      buffer += decoder.decode(value || new Uint8Array(), {stream: !done});
      let match;
      while ((match = boundary.exec(buffer))) {
        const raw = buffer.slice(0, match.index);
        buffer = buffer.slice(match.index + match[0].length);
        if (handleEvent(raw, answer)) return "done";  // the server closes the stream after [DONE]
      }
      if (done) break;
    }
    if (buffer.trim() && handleEvent(buffer, answer)) return "done";
    return "truncated";
  }

  /** Streams one answer; true when there is an answer to keep (done, truncated, or stopped after some text). */
  async function runTurn(messages, answer, regenerateOf = "") {
    setBusy(true);
    try {
      answer.finish(await streamChat(messages, answer, regenerateOf));
      return true;
    } catch (e) {
      if (e.name === "AbortError" && answer.id && answer.text) {
        answer.finish("stopped");
        return true;
      }
      answer.fail(e.name === "AbortError" ? "stopped before the first token" : e.message);
      return false;
    } finally {
      state.controller = null;
      setBusy(false);
    }
  }

  /** After an answer completes: it is the one being read, and its domain's rollout is shown. */
  function answered(answer) {
    state.lastAnswer = answer;
    if (answer.recorded) startDwell(answer);
    else endDwell();
    refreshRollout();
  }

  function latestAnswer() {
    for (let i = state.history.length - 1; i >= 0; i--) {
      if (state.history[i].answer) return state.history[i].answer;
    }
    return null;
  }

  async function send() {
    const text = el.prompt.value;
    if (state.busy || !text.trim()) return;
    endDwell();  // the previous answer was read until now
    const previous = latestAnswer();
    if (previous) previous.setLatest(false);
    el.prompt.value = "";
    const userEl = h("div", {class: "message user"}, text);
    el.conversation.append(userEl);
    const history = state.history;
    history.push({role: "user", content: text});
    const answer = new Answer();
    el.conversation.append(answer.el);
    window.scrollTo(0, document.body.scrollHeight);
    const kept = await runTurn(history, answer);
    if (history !== state.history) return;  // a new conversation started meanwhile: this turn is gone
    if (kept) {
      history.push({role: "assistant", content: answer.text, answer});
      answer.setLatest(true);
      answered(answer);
    } else {
      // Not part of the conversation: the next turn must not send it. The text goes back to the box.
      history.pop();
      userEl.classList.add("failed");
      if (previous) previous.setLatest(true);
      if (!el.prompt.value) el.prompt.value = text;
      refreshRollout();
    }
  }

  /** Asks again for the latest answer with regenerate_of; the new answer takes the old one's place. */
  async function regenerate(old) {
    const index = state.history.findIndex((turn) => turn.answer === old);
    if (state.busy || index < 0 || index !== state.history.length - 1) return;
    endDwell();  // the old answer was read until now
    const regenerateOf = old.recorded ? old.id : "";  // a stopped answer was never recorded: just ask again
    const fresh = new Answer({regenerateOf});
    old.el.replaceWith(fresh.el);
    const history = state.history;
    const kept = await runTurn(history.slice(0, index), fresh, regenerateOf);
    if (history !== state.history) return;  // a new conversation started meanwhile
    if (kept) {
      history[index] = {role: "assistant", content: fresh.text, answer: fresh};
      fresh.setLatest(true);
      answered(fresh);
    } else {
      const reason = fresh.errorEl.textContent;
      fresh.el.replaceWith(old.el);
      old.ack("REGENERATE", `regenerate failed: ${reason}`, false);
      old.syncButtons();
      refreshRollout();
    }
  }

  function newConversation() {
    if (state.controller) state.controller.abort();
    endDwell();
    state.history = [];
    state.conversationId = randomId("c-");
    state.lastAnswer = null;
    el.conversation.replaceChildren();
    showIds();
    el.prompt.focus();
  }

  // ---------------------------------------------------------------- models, rollout, health

  async function loadModels() {
    try {
      const body = await getJson("/v1/models");
      const models = body.data || [];
      const base = models.find((m) => !m.parent);
      state.baseName = base ? base.id : "";
      const baseOption = $('option[value="base"]', el.model);
      if (base) baseOption.textContent = `base: no adapter (${base.id})`;
      const adapters = models.filter((m) => m.parent);
      state.domains = new Set(adapters.map((m) => m.id.split("@")[0]));
      const domains = h("optgroup", {label: "Domain (the A/B arm applies)"});
      const versions = h("optgroup", {label: "Pinned version"});
      for (const m of adapters) (m.id.includes("@") ? versions : domains).append(h("option", {value: m.id}, m.id));
      for (const group of el.model.querySelectorAll("optgroup")) group.remove();
      if (domains.children.length) el.model.append(domains);
      if (versions.children.length) el.model.append(versions);
      el.model.dataset.loaded = "true";
      showError("");
      refreshRollout();
    } catch (e) {
      showError(`Could not load the adapters from /v1/models (${e.message}); retrying…`);
      setTimeout(loadModels, MODELS_RETRY_MS);
    }
  }

  /** The domain the rollout panel shows: the picked adapter's, else the domain of the latest answer. */
  function rolloutDomain() {
    const picked = el.model.value;
    if (picked === "base") return "";
    if (picked && picked !== state.baseName) {
      const domain = picked.split("@")[0];
      return state.domains.has(domain) ? domain : "";
    }
    const answer = state.lastAnswer;
    if (!answer) return "";
    // A base answer: the routed domain, when it has adapters (a fallback such as "general" may have none).
    const domain = answer.domain() || (answer.route && answer.route.domain) || "";
    return (answer.domain() || state.domains.has(domain)) ? domain : "";
  }

  let rolloutSeq = 0;

  async function refreshRollout() {
    const domain = rolloutDomain();
    const seq = ++rolloutSeq;
    el.rolloutDomain.textContent = domain ? `· ${domain}` : "";
    el.rollout.dataset.domain = domain;
    if (!domain) {
      el.rollout.replaceChildren(h("p", {class: "muted"},
        el.model.value === "base" ? "The base model has no rollouts." : "Pick an adapter or send a message."));
      return;
    }
    try {
      const body = await getJson(`/loraloop/v1/rollouts?domain=${encodeURIComponent(domain)}&events=5`);
      if (seq === rolloutSeq) renderRollout(domain, body.rollouts || []);
    } catch (e) {
      if (seq === rolloutSeq) el.rollout.replaceChildren(h("p", {class: "error"}, `Rollouts unavailable: ${e.message}`));
    }
  }

  function renderRollout(domain, rollouts) {
    if (!rollouts.length) {
      el.rollout.dataset.status = "none";
      el.rollout.replaceChildren(h("p", {}, `No rollout for ${domain}: every user gets its active version.`));
      return;
    }
    const r = rollouts.find((x) => ACTIVE_ROLLOUT.includes(x.status)) || rollouts[rollouts.length - 1];
    el.rollout.dataset.status = r.status;
    const answeredArm = state.lastAnswer && state.lastAnswer.domain() === domain ? state.lastAnswer.arm : "";
    const columns = [["arm", "arm"], ["v", "version"], ["ans", "answers"], ["rated", "rated answers"],
      ["up", "thumbs up"], ["down", "thumbs down"], ["regen", "regenerated"], ["err", "errors"]];
    const head = h("tr", {}, ...columns.map(([label, title]) => h("th", {title}, label)));
    const rows = (r.arms || []).map((a) => h("tr", {class: `arm-${a.arm}${a.arm === answeredArm ? " current" : ""}`,
      title: a.arm === answeredArm ? "the arm of your latest answer" : null},
    ...[a.arm + (a.arm === answeredArm ? " ◀" : ""), a.version, a.answers, a.rated, a.thumbs_up, a.thumbs_down,
      a.regenerate, a.errors].map((v) => h("td", {}, v === undefined || v === null ? "–" : v))));
    const weight = Number(r.weight);
    const schedule = Array.isArray(r.schedule) && r.schedule.length ? ` of ${r.schedule.join(" → ")}` : "";
    const events = Array.isArray(r.events) ? [...r.events] : [];
    events.sort((a, b) => (b.created_at || 0) - (a.created_at || 0));
    const last = events[0];
    el.rollout.replaceChildren(
      h("p", {}, h("span", {class: "status"}, r.status), ` · ${r.id || ""}`),
      h("p", {}, `stable v${r.stable_version} → canary v${r.canary_version}, canary weight `
        + `${Number.isFinite(weight) ? weight.toFixed(0) : "?"}% (step ${r.step ?? "?"}${schedule})`),
      h("table", {}, h("thead", {}, head), h("tbody", {}, ...rows)),
      ...(last ? [h("p", {class: "muted small"}, `last: ${last.decision}${last.actor ? ` by ${last.actor}` : ""}${last.reason ? `: ${last.reason}` : ""}`)] : []),
      ...(rollouts.length > 1 ? [h("p", {class: "muted small"}, `${rollouts.length - 1} other rollout(s) of ${domain}`)] : []),
    );
  }

  async function checkHealth() {
    let ok = false;
    try {
      ok = (await fetch("/health", {cache: "no-store"})).ok;
    } catch (_) {
      ok = false;
    }
    el.health.textContent = ok ? "server ok" : "server unavailable";
    el.health.className = `health ${ok ? "ok" : "down"}`;
  }

  // ---------------------------------------------------------------- wiring

  el.composer.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
  el.controls.addEventListener("submit", (event) => event.preventDefault());
  el.prompt.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    }
  });
  el.stop.addEventListener("click", () => state.controller && state.controller.abort());
  el.newConversation.addEventListener("click", newConversation);
  el.model.addEventListener("change", refreshRollout);
  document.getElementById("api-key").addEventListener("change", () => { loadModels(); refreshRollout(); });
  setInterval(() => { if (document.visibilityState === "visible") refreshRollout(); }, ROLLOUT_REFRESH_MS);
  setInterval(checkHealth, HEALTH_REFRESH_MS);

  showIds();
  loadModels();
  checkHealth();
  refreshRollout();
})();
