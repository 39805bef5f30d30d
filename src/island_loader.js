// Hydrates the page's islands once the browser is idle: imports the WASM module, starts it,
// then walks the document and hands each <leptos-island> to its exported hydrate function.
// An island inside another island's children first enters the owner its parent left on
// the <leptos-children> element, so context flows from the outer island to the inner one.
// Nothing is preloaded: the WASM must never compete with the page's own first paint.
((pkg, js, wasm) => {
  const start = async () => {
    const mod = await import(`/${pkg}/${js}.js`);
    await mod.default({ module_or_path: `/${pkg}/${wasm}.wasm` });
    mod.hydrate();
    const walk = (node, owners) => {
      for (const el of node.children) {
        const tag = el.tagName.toLowerCase();
        if (tag === 'leptos-island') {
          const enterParent = owners[owners.length - 1];
          if (enterParent) enterParent();
          const island = mod[el.dataset.component];
          if (island) island(el);
          else console.warn(`no WASM function for the island ${el.dataset.component}`);
          walk(el, owners);
        } else if (tag === 'leptos-children') {
          walk(el, [...owners, el.$$on_hydrate]);
        } else {
          walk(el, owners);
        }
      }
    };
    walk(document.body, []);
  };
  if ('requestIdleCallback' in window) requestIdleCallback(start);
  else start();
})
