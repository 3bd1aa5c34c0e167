/* The shop's website chat (served by the CRM, no CDN, no dependencies).
 * Paste on the shop's site:
 *   <script src="https://<crm>/static/assistant/widget.js" data-key="<widget key>" defer></script>
 * The site's origin must be in the widget account's allowed origins. The visitor's token is kept
 * in localStorage; new messages (the assistant's and staff replies) are polled while open.
 * Text is always inserted with textContent, never as HTML. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.dataset.key) { return; }
  var base = new URL(script.src, window.location.href).origin;
  var endpoint = base + "/assistant/widget/" + encodeURIComponent(script.dataset.key) + "/messages/";
  var storeKey = "shopChat:" + script.dataset.key;
  var lang = (document.documentElement.lang || navigator.language || "en").slice(0, 2);
  var words = {
    en: { open: "Chat with us", title: "Chat", placeholder: "Type a message…", send: "Send", error: "Could not send. Please try again." },
    vi: { open: "Nhắn tin cho shop", title: "Trò chuyện", placeholder: "Nhập tin nhắn…", send: "Gửi", error: "Không gửi được. Vui lòng thử lại." },
    th: { open: "แชทกับร้าน", title: "แชท", placeholder: "พิมพ์ข้อความ…", send: "ส่ง", error: "ส่งไม่สำเร็จ กรุณาลองอีกครั้ง" }
  }[lang] || null;
  if (!words) { words = { open: "Chat with us", title: "Chat", placeholder: "Type a message…", send: "Send", error: "Could not send. Please try again." }; }

  var state = { token: localStorage.getItem(storeKey) || "", last: 0, timer: null, seen: {} };

  function el(tag, css, text) {
    var node = document.createElement(tag);
    if (css) { node.style.cssText = css; }
    if (text) { node.textContent = text; }
    return node;
  }
  var button = el("button", "position:fixed;right:16px;bottom:16px;z-index:2147483000;padding:10px 16px;border:0;border-radius:24px;background:#1f6feb;color:#fff;font:14px sans-serif;cursor:pointer", words.open);
  button.type = "button";
  var panel = el("div", "position:fixed;right:16px;bottom:64px;z-index:2147483000;width:320px;max-width:calc(100vw - 32px);height:420px;display:none;flex-direction:column;background:#fff;border:1px solid #dde2ea;border-radius:8px;box-shadow:0 4px 16px rgba(0,0,0,.15);font:14px sans-serif");
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", words.title);
  var list = el("div", "flex:1;overflow-y:auto;padding:8px;display:flex;flex-direction:column;gap:6px");
  list.setAttribute("aria-live", "polite");
  var form = el("form", "display:flex;gap:6px;padding:8px;border-top:1px solid #dde2ea");
  var input = el("input", "flex:1;padding:6px;border:1px solid #dde2ea;border-radius:4px");
  input.placeholder = words.placeholder;
  input.maxLength = 2000;
  input.setAttribute("aria-label", words.placeholder);
  var send = el("button", "padding:6px 12px;border:0;border-radius:4px;background:#1f6feb;color:#fff", words.send);
  send.type = "submit";
  form.appendChild(input); form.appendChild(send);
  panel.appendChild(list); panel.appendChild(form);

  function show(message) {
    if (state.seen[message.id]) { return; }
    state.seen[message.id] = true;
    state.last = Math.max(state.last, message.id);
    var mine = message.from === "visitor";
    var bubble = el("div", "max-width:80%;padding:6px 10px;border-radius:8px;white-space:pre-wrap;overflow-wrap:anywhere;" +
      (mine ? "align-self:flex-end;background:#1f6feb;color:#fff" : "align-self:flex-start;background:#f4f6f9;color:#1c2430"), message.text);
    list.appendChild(bubble);
    list.scrollTop = list.scrollHeight;
  }
  function note(text) { list.appendChild(el("div", "color:#c62828;font-size:12px", text)); }
  function headers() {
    var h = { "Content-Type": "application/json" };
    if (state.token) { h["X-Visitor-Token"] = state.token; }
    return h;
  }
  function poll() {
    if (!state.token) { return; }
    fetch(endpoint + "?after=" + state.last, { headers: headers(), credentials: "omit" })
      .then(function (r) { return r.ok ? r.json() : { messages: [] }; })
      .then(function (data) { (data.messages || []).forEach(show); })
      .catch(function () {});
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    input.value = "";
    var clientId = Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
    fetch(endpoint, { method: "POST", headers: headers(), credentials: "omit",
      body: JSON.stringify({ text: text, client_id: clientId, after: state.last }) })
      .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
      .then(function (res) {
        if (!res.ok) { note((res.data.error && res.data.error.message) || words.error); return; }
        if (res.data.token) { state.token = res.data.token; localStorage.setItem(storeKey, state.token); }
        (res.data.messages || []).forEach(show);
      })
      .catch(function () { note(words.error); });
  });
  button.addEventListener("click", function () {
    var open = panel.style.display !== "flex";
    panel.style.display = open ? "flex" : "none";
    if (open) { poll(); state.timer = window.setInterval(poll, 5000); input.focus(); }
    else if (state.timer) { window.clearInterval(state.timer); state.timer = null; }
  });
  document.body.appendChild(panel);
  document.body.appendChild(button);
})();
