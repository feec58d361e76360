/// The page script, in three parts: helpers (`core`), the overview, timeline, known-media, files
/// and log pages (`pages`, AppScriptPages.swift), and chats with the thread view (`chats`,
/// AppScriptChats.swift). Evidence text is only ever set with `textContent` (never `innerHTML`),
/// bidirectional and other invisible control characters are shown as visible marks, text holding
/// right-to-left letters or bidi controls is isolated in `<bdi>` (so it cannot reorder our words
/// beside it, as in the report; issue 19), and links found in evidence are never made clickable.
enum AppScript {
    static let core = #"""
        "use strict";
        const params = new URLSearchParams(location.search);
        if (params.get("token")) sessionStorage.setItem("exhibitToken", params.get("token"));
        const token = sessionStorage.getItem("exhibitToken");
        const main = document.getElementById("main");

        // Bidi overrides, isolates, zero-width and other control characters, shown as marks.
        const hidden = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;
        function clean(text) {
          return String(text ?? "").replace(hidden, c => "\u27e8U+" + c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0") + "\u27e9");
        }

        // Right-to-left letters (Hebrew, Arabic, Syriac, Thaana, N'Ko, …, their presentation
        // forms, the RTL planes of the SMP) and bidi controls: text holding one is isolated.
        const rtl = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]|[\ud802\ud803\ud83a\ud83b][\udc00-\udfff]/;
        const bidi = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

        // Text as a node: controls shown as marks; inside <bdi> (direction from its own first
        // strong letter, isolated from its neighbours) when it holds right-to-left letters or
        // bidi controls, so a U+202E or an Arabic name cannot reverse the words beside it.
        function text(value) {
          const s = String(value ?? "");
          const node = document.createTextNode(clean(s));
          if (!rtl.test(s) && !bidi.test(s)) return node;
          const b = document.createElement("bdi");
          b.append(node);
          return b;
        }

        // An element; strings and numbers become text nodes (never parsed as HTML).
        function el(tag, attrs, ...children) {
          const e = document.createElement(tag);
          for (const [k, v] of Object.entries(attrs || {})) {
            if (v === null || v === undefined || v === false) continue;
            if (k.startsWith("on")) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
          }
          for (const c of children.flat()) {
            if (c === null || c === undefined || c === false) continue;
            e.append(c instanceof Node ? c : text(c));
          }
          return e;
        }

        function withToken(path) {
          if (!token) return path;
          return path + (path.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(token);
        }

        async function api(path, body) {
          const headers = {};
          if (token) headers["Authorization"] = "Bearer " + token;
          const opts = { headers };
          if (body !== undefined) { opts.method = "POST"; headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
          const r = await fetch(path, opts);
          const data = await r.json().catch(() => ({ error: r.statusText }));
          if (!r.ok) throw new Error(data.error || r.statusText);
          return data;
        }

        // A time: the case zone's wall clock, UTC beside it, the basis when it is not utc.
        function when(t) {
          if (!t) return el("span", { class: "muted" }, "—");
          const local = t.local || t.utc;
          return el("span", { class: "when", title: t.raw ? "as found: " + clean(t.raw) : null },
            local ? local : el("span", { class: "muted" }, "no instant", t.raw ? " (" : null, t.raw || null, t.raw ? ")" : null),
            t.local && t.utc ? el("div", { class: "utc" }, "UTC " + t.utc) : null,
            t.basis && t.basis !== "utc" ? el("span", { class: "basis" }, t.basis) : null);
        }

        function table(headers, rows) {
          return el("table", {}, el("thead", {}, el("tr", {}, headers.map(h => el("th", {}, h)))),
            el("tbody", {}, rows.map(r => el("tr", {}, r.map((c, i) => el("td", { class: i === 0 && c && c.classList && c.classList.contains("when") ? "time" : null }, c))))));
        }

        function status(message, bad) {
          const s = document.getElementById("status");
          if (s) { s.replaceChildren(text(message)); s.className = bad ? "bad" : "muted"; }
        }

        function tagButtons(target, id, current, onChange) {
          const box = el("span", { class: "tools" });
          const draw = tags => {
            box.replaceChildren(...tags.map(t => el("span", { class: "tag" }, t)));
            for (const t of ["relevant", "privileged", "known-bad"]) {
              const on = tags.includes(t);
              box.append(el("button", { type: "button", "data-tag": t, onclick: async () => {
                try { const r = await api("/api/review/tag", { target, id: String(id), tag: t, on: !on }); draw(r.map(x => x.tag)); if (onChange) onChange(); }
                catch (e) { status(e.message, true); }
              } }, (on ? "untag " : "tag ") + t));
            }
          };
          draw(current || []);
          return box;
        }

        // Project VIC style categories for media (CAT 0–5): one at a time, stored as the tag
        // cat-N; the server removes the previous one, and both changes are in the review log.
        function catButtons(target, id, current) {
          const box = el("span", { class: "tools cat", "data-cat-target": target + ":" + id });
          const draw = tags => {
            const now = tags.find(t => /^cat-[0-5]$/.test(t));
            box.replaceChildren("CAT ");
            for (let n = 0; n <= 5; n++) {
              const on = now === "cat-" + n;
              box.append(el("button", { type: "button", class: on ? "on" : null, "data-cat": String(n), title: on ? "clear the category" : "set category " + n, onclick: async () => {
                try { draw(await api("/api/review/category", { target, id: String(id), category: on ? null : n }).then(r => r.map(x => x.tag))); }
                catch (e) { status(e.message, true); }
              } }, String(n)));
            }
          };
          draw(current || []);
          return box;
        }

        function noteBox(target, id, notes) {
          const input = el("input", { type: "text", size: 40, placeholder: "note", value: (notes && notes[0] && notes[0].text) || "" });
          const save = el("button", { type: "button", onclick: async () => {
            try { await api("/api/review/note", { target, id: String(id), text: input.value }); save.textContent = "saved"; }
            catch (e) { status(e.message, true); }
          } }, "save note");
          return el("span", { class: "tools" }, input, save);
        }

        // A picture: blurred until clicked (the click is recorded); known-bad pictures are not
        // loaded at all until the reviewer confirms.
        function picture(fileID, knownBad, label, tools) {
          const box = el("span", { class: "pic" });
          if (knownBad) {
            const w = el("div", { class: "withheld", onclick: () => {
              if (!confirm("This picture matched a known-bad hash set. Show it? The view is recorded in the review log.")) return;
              box.replaceChildren(el("img", { src: withToken("/api/media/" + fileID + "?view=reveal&confirm=known-bad"), alt: "known-bad picture" }), label, tools || "");
            } }, "Known-bad picture withheld — click to confirm and show");
            box.append(w, label, tools || "");
            return box;
          }
          const img = el("img", { class: "blurred", src: withToken("/api/media/" + fileID), alt: "picture (blurred)", title: "click to reveal (recorded)" });
          img.addEventListener("click", () => {
            if (!img.classList.contains("blurred")) return;
            img.src = withToken("/api/media/" + fileID + "?view=reveal");
            img.classList.remove("blurred");
            img.setAttribute("data-revealed", "1");
          });
          box.append(img, label, tools || "");
          return box;
        }

        function fillForm(form) {
          for (const input of form.querySelectorAll("input, select")) if (params.get(input.name)) input.value = params.get(input.name);
        }

        function formQuery(form) {
          const q = new URLSearchParams();
          for (const input of form.querySelectorAll("input, select")) if (input.value) q.set(input.name, input.value);
          return q;
        }

        """#
}
