/* finassist chat widget: <script src="https://HOST/chat/widget.js" data-title="在线咨询" data-color="#0b6bcb" async></script>
   adds a floating bubble that opens the member chat page in an iframe. The page may only be framed by the
   origins in the server's CHAT_ALLOWED_ORIGINS. No globals besides one guard flag; no third-party code. */
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || window.__finassistChatWidget) return;
  window.__finassistChatWidget = true;

  var COLOR_RE = /^#(?:[0-9a-fA-F]{3}){1,2}$/;
  var title = (script.getAttribute('data-title') || '在线咨询').trim().slice(0, 24) || '在线咨询';
  var color = script.getAttribute('data-color') || '';
  if (!COLOR_RE.test(color)) color = '#0b6bcb';
  var page = new URL('../chat', script.src);
  page.searchParams.set('title', title);
  page.searchParams.set('color', color);
  page.searchParams.set('embed', '1');

  var panel = null;
  var bubble = document.createElement('button');
  bubble.type = 'button';
  bubble.setAttribute('aria-label', title);
  bubble.setAttribute('aria-expanded', 'false');
  bubble.setAttribute('data-finassist', 'bubble');
  bubble.title = title;
  Object.assign(bubble.style, {
    position: 'fixed', right: '20px', bottom: '20px', width: '56px', height: '56px', borderRadius: '50%',
    border: '0', padding: '0', background: color, color: '#fff', cursor: 'pointer', zIndex: '2147483000',
    boxShadow: '0 4px 14px rgba(0,0,0,.25)', display: 'flex', alignItems: 'center', justifyContent: 'center',
  });
  bubble.appendChild(icon());

  function icon() {
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('width', '28');
    svg.setAttribute('height', '28');
    svg.setAttribute('aria-hidden', 'true');
    var path = document.createElementNS(ns, 'path');
    path.setAttribute('fill', 'currentColor');
    path.setAttribute('d', 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm3 6a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z');
    svg.appendChild(path);
    return svg;
  }

  function place() {
    var phone = window.matchMedia('(max-width: 520px)').matches;
    Object.assign(panel.style, phone
      ? { left: '0', top: '0', right: '0', bottom: '0', width: '100%', height: '100%', borderRadius: '0' }
      : { left: 'auto', top: 'auto', right: '20px', bottom: '88px', width: '380px',
          height: 'min(640px, calc(100vh - 120px))', borderRadius: '12px' });
  }

  function build() {
    panel = document.createElement('div');
    panel.setAttribute('data-finassist', 'panel');
    Object.assign(panel.style, {
      position: 'fixed', zIndex: '2147483001', overflow: 'hidden', background: '#fff',
      boxShadow: '0 8px 30px rgba(0,0,0,.3)',
    });
    var frame = document.createElement('iframe');
    frame.src = page.toString();
    frame.title = title;
    frame.setAttribute('referrerpolicy', 'strict-origin-when-cross-origin');
    Object.assign(frame.style, { width: '100%', height: '100%', border: '0', display: 'block' });
    panel.appendChild(frame);
    place();
    document.body.appendChild(panel);
    window.addEventListener('resize', place);
  }

  function toggle(open) {
    if (open && !panel) build();
    if (panel) panel.style.display = open ? 'block' : 'none';
    bubble.setAttribute('aria-expanded', String(open));
  }

  bubble.addEventListener('click', function () { toggle(!panel || panel.style.display === 'none'); });
  window.addEventListener('message', function (event) {
    if (event.origin === page.origin && event.data && event.data.type === 'finassist-chat:close') toggle(false);
  });
  document.addEventListener('keydown', function (event) { if (event.key === 'Escape' && panel) toggle(false); });

  function mount() { document.body.appendChild(bubble); }
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
