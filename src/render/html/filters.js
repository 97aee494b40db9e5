
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const bar = $("filters");
  const text = $("filter-text");
  const boxes = [...bar.querySelectorAll("input[data-filter]")];
  const items = [...document.querySelectorAll("[data-resource]")];
  const keys = ["status", "context"];
  const read = () => {
    const params = new URLSearchParams(location.hash.slice(1));
    if (params.has("q")) text.value = params.get("q");
    for (const key of keys) {
      if (!params.has(key)) continue;
      const on = params.get(key).split(",");
      for (const box of boxes) if (box.dataset.filter === key) box.checked = on.includes(box.value);
    }
  };
  const write = () => {
    const params = new URLSearchParams();
    if (text.value) params.set("q", text.value);
    for (const key of keys) {
      const group = boxes.filter((b) => b.dataset.filter === key);
      if (group.some((b) => !b.checked)) {
        params.set(key, group.filter((b) => b.checked).map((b) => b.value).join(","));
      }
    }
    const hash = params.toString();
    try {
      history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search);
    } catch (e) { /* some browsers refuse on file: URLs; the filters still work */ }
  };
  const apply = () => {
    const q = text.value.trim().toLowerCase();
    const on = { status: new Set(), context: new Set() };
    for (const box of boxes) if (box.checked) on[box.dataset.filter].add(box.value);
    let shown = 0;
    let inSync = 0;
    for (const item of items) {
      const d = item.dataset;
      const haystack = [d.kind, d.namespace, d.name, d.namespace + "/" + d.name].join(" ").toLowerCase();
      const ok = on.status.has(d.status) && on.context.has(d.context) && (!q || haystack.includes(q));
      item.hidden = !ok;
      if (ok) {
        shown += 1;
        if (d.status === "InSync") inSync += 1;
      }
    }
    $("shown-count").textContent = shown;
    $("no-match").hidden = shown > 0 || items.length === 0;
    const list = $("in-sync");
    if (list) {
      list.hidden = inSync === 0;
      $("in-sync-count").textContent = inSync + (inSync === 1 ? " resource" : " resources");
    }
  };
  const changed = () => { apply(); write(); };
  text.addEventListener("input", changed);
  for (const box of boxes) box.addEventListener("change", changed);
  window.addEventListener("hashchange", () => { read(); apply(); });
  const openAll = (open) => {
    for (const d of document.querySelectorAll("details.resource")) d.open = open;
  };
  $("expand-all").addEventListener("click", () => openAll(true));
  $("collapse-all").addEventListener("click", () => openAll(false));
  document.addEventListener("keydown", (e) => {
    if (e.key === "/" && document.activeElement !== text) { e.preventDefault(); text.focus(); }
    else if (e.key === "Escape" && document.activeElement === text) { text.value = ""; changed(); }
  });
  read();
  apply();
  bar.hidden = false;
  document.body.dataset.ready = "1";
})();
