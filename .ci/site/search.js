// The offline site's search (.ci/docs copies it into the site). search_index.js, loaded by a
// script tag (not fetch(), so that it also works from file://), sets window.CALIBTUT_SEARCH =
// {pages: [{u: url, t: title, s: [[anchor, heading, text], ...]}]}; typing in the box lists the
// sections holding every word typed, best first: a word in the heading counts most, then in the
// page's title, then in the text.
(function () {
  const input = document.getElementById('calibtut-search');
  const list = document.getElementById('calibtut-search-results');
  if (!input || !list) return;
  const ENTITY = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'};
  const esc = s => s.replace(/[&<>"]/g, c => ENTITY[c]);
  function search(q) {
    const terms = q.toLowerCase().split(/\s+/).filter(Boolean);
    const idx = window.CALIBTUT_SEARCH;
    if (!terms.length || !idx) return [];
    const hits = [];
    for (const p of idx.pages) {
      const pt = p.t.toLowerCase();
      for (const [a, h, x] of p.s) {
        const hl = h.toLowerCase(), xl = x.toLowerCase();
        let score = 0, ok = true;
        for (const t of terms) {
          const inH = hl.includes(t), inP = pt.includes(t), inX = xl.includes(t);
          if (!inH && !inP && !inX) { ok = false; break; }
          score += (hl === t ? 50 : 0) + (inH ? 10 : 0) + (inP ? 3 : 0) + (inX ? 1 : 0);
        }
        if (ok) {
          const url = p.u + (a ? '#' + a : '');
          hits.push({url, page: p.t, head: h || p.t, text: x, score, terms});
        }
      }
    }
    return hits.sort((u, v) => v.score - u.score).slice(0, 20);
  }
  function snippet(x, terms) {
    const xl = x.toLowerCase();
    let at = -1;
    for (const t of terms) { at = xl.indexOf(t); if (at >= 0) break; }
    if (at < 0) return x.slice(0, 100);
    const from = Math.max(0, at - 40);
    return (from ? '…' : '') + x.slice(from, from + 120) + (from + 120 < x.length ? '…' : '');
  }
  function show() {
    const q = input.value.trim();
    if (!q) { list.hidden = true; list.innerHTML = ''; return; }
    const hits = search(q);
    list.innerHTML = hits.length ? hits.map(r => '<li><a href="' + esc(r.url) + '">' + esc(r.head) +
        (r.head !== r.page ? '<span class="where">' + esc(r.page) + '</span>' : '') +
        '<span class="snippet">' + esc(snippet(r.text, r.terms)) + '</span></a></li>').join('')
      : '<li class="none">No match for “' + esc(q) + '”</li>';
    list.hidden = false;
  }
  input.addEventListener('input', show);
  input.addEventListener('focus', show);
  input.addEventListener('keydown', e => {
    const links = [...list.querySelectorAll('a')];
    const i = links.findIndex(l => l.classList.contains('active'));
    if (e.key === 'Escape') { list.hidden = true; input.blur(); }
    else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (!links.length) return;
      const j = e.key === 'ArrowDown' ? Math.min(i + 1, links.length - 1) : Math.max(i - 1, 0);
      links.forEach(l => l.classList.remove('active'));
      links[j].classList.add('active');
      links[j].scrollIntoView({block: 'nearest'});
    } else if (e.key === 'Enter' && links.length) {
      window.location.href = links[Math.max(i, 0)].href;
    }
  });
  document.addEventListener('click', e => {
    if (!e.target.closest('.calibtut-search')) list.hidden = true;
  });
  document.addEventListener('keydown', e => {
    if (e.key === '/' && document.activeElement !== input) { e.preventDefault(); input.focus(); }
  });
})();
