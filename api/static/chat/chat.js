/* finassist member chat page: streams POST v1/chat/stream (SSE over fetch), keeps the conversation in
   localStorage, renders every server text with textContent. No build step, no third-party code. */
(function () {
  'use strict';

  var KEY = 'finassist.chat.v1';
  var MAX_KEPT = 200; // messages kept on the device
  var REPLY_KEYS = { answer: 1, citations: 1, intent: 1, escalation: 1 };
  var PHONE_RE = /^(?:\+?86)?1[3-9]\d{9}$/;
  var AMOUNT_RE = /^(\d{1,12})(\.\d{1,4})?$/;
  var COLOR_RE = /^#(?:[0-9a-fA-F]{3}){1,2}$/;
  var KIND_NAMES = { human: '转人工', complaint: '投诉', application: '融资申请', amount: '大额融资', unanswered: '疑难问题' };

  var $ = function (id) { return document.getElementById(id); };
  var log = $('log');
  var input = $('input');
  var state = load();
  var consentInfo = null;
  var consentLoading = null;
  var busy = false;
  var retryAction = null;

  function api(path) { return new URL(path, document.baseURI).toString(); }

  // ---- storage: the server's session fields and the transcript, on this device only ----------------------

  function fresh() { return { v: 1, session: {}, messages: [], stage: null }; }

  function load() {
    try {
      var saved = JSON.parse(localStorage.getItem(KEY) || 'null');
      if (saved && saved.v === 1 && Array.isArray(saved.messages) && saved.session) return saved;
    } catch (e) { /* private mode or a corrupt entry: start afresh */ }
    return fresh();
  }

  function save() {
    state.messages = state.messages.slice(-MAX_KEPT);
    try { localStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* storage full or disabled */ }
  }

  // Every session_* string the server returns (session_id and any credential beside it) goes back as given.
  function keepSession(reply) {
    Object.keys(reply).forEach(function (name) {
      if (!REPLY_KEYS[name] && name.indexOf('session') === 0 && typeof reply[name] === 'string') {
        state.session[name] = reply[name];
      }
    });
  }

  function maskPhones(text) {
    return text.replace(/(^|\D)(1[3-9]\d)(\d{4})(\d{4})(?!\d)/g, '$1$2****$4');
  }

  // ---- rendering ----------------------------------------------------------------------------------------

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  // The answer's text with each [n] that has a citation as a button opening that citation.
  function fillText(p, text, citations, list) {
    p.textContent = '';
    var parts = String(text).split(/(\[\d{1,2}\])/);
    parts.forEach(function (part) {
      var m = /^\[(\d{1,2})\]$/.exec(part);
      var n = m ? parseInt(m[1], 10) : 0;
      if (!m || !citations || n < 1 || n > citations.length) {
        if (part) p.appendChild(document.createTextNode(part));
        return;
      }
      var ref = el('button', 'ref', part);
      ref.type = 'button';
      ref.setAttribute('aria-label', '查看引用 ' + n);
      ref.addEventListener('click', function () {
        var item = list && list.querySelector('details[data-n="' + n + '"]');
        if (!item) return;
        item.open = !item.open;
        if (item.open) item.scrollIntoView({ block: 'nearest' });
      });
      p.appendChild(ref);
    });
  }

  function citationList(citations) {
    var box = el('div', 'cites');
    box.appendChild(el('p', 'cites-h', '引用来源（' + citations.length + '）'));
    citations.forEach(function (c, i) {
      var item = el('details', 'cite');
      item.setAttribute('data-n', String(i + 1));
      var summary = el('summary');
      summary.appendChild(el('span', 'n', '[' + (i + 1) + ']'));
      summary.appendChild(document.createTextNode(' ' + (c.title || c.source || '资料')));
      item.appendChild(summary);
      item.appendChild(el('p', 'snip', c.snippet || ''));
      if (c.source) item.appendChild(el('p', 'src', c.source));
      box.appendChild(item);
    });
    return box;
  }

  function renderMessage(m) {
    var node = el('div', 'msg ' + m.role);
    var p = el('p', 'text');
    node.appendChild(p);
    var list = m.citations && m.citations.length ? citationList(m.citations) : null;
    fillText(p, m.text, m.citations, list);
    if (list) node.appendChild(list);
    log.insertBefore(node, firstCard());
    return node;
  }

  function firstCard() {
    var cards = log.querySelectorAll('.card');
    return cards.length ? cards[0] : null;
  }

  function handoffNote(escalation) {
    var kind = KIND_NAMES[escalation.type] || '人工服务';
    var text = '已转交客户关系专员（' + kind + '）';
    if (escalation.open_now === false && escalation.hours) {
      text += '。现在是非工作时间，专员将在' + escalation.hours + '与您联系';
    }
    return { role: 'note', text: text, offHours: escalation.open_now === false, hours: escalation.hours || '' };
  }

  function showHours(note) {
    var banner = $('hours');
    banner.hidden = !(note && note.offHours);
    if (note && note.offHours) banner.textContent = '现在是非工作时间，人工服务时间：' + note.hours;
  }

  function renderAll() {
    Array.prototype.slice.call(log.querySelectorAll('.msg:not(.intro)')).forEach(function (n) { n.remove(); });
    state.messages.forEach(function (m) {
      var node = renderMessage(m);
      if (m.role === 'note' && m.offHours) node.classList.add('off');
    });
    var last = state.messages[state.messages.length - 1];
    showHours(last && last.role === 'note' ? last : null); // the banner belongs to the latest handoff only
    showStage();
    scrollDown();
  }

  // ---- errors -------------------------------------------------------------------------------------------

  function showError(text, retry) {
    $('error-text').textContent = text;
    $('error').hidden = false;
    retryAction = retry || null;
    $('retry').hidden = !retry;
  }

  function clearError() { $('error').hidden = true; retryAction = null; }

  function httpMessage(status, body, retryAfter) {
    var code = body && body.error && body.error.code;
    if (status === 429) {
      var seconds = parseInt(retryAfter || '', 10);
      return '您发送消息太频繁了，请' + (seconds > 0 ? ' ' + seconds + ' 秒后' : '稍后') + '再试。';
    }
    if (code === 'message_too_long') return '消息太长了，请精简后再发送。';
    if (code === 'invalid_message') return '消息不能为空。';
    if (status === 413) return '消息太长了，请精简后再发送。';
    if (status >= 500) return '服务暂时繁忙，请稍后重试。';
    return '消息未能发送（' + status + '），请修改后重试。';
  }

  function Failure(message, retryable) { this.message = message; this.retryable = retryable; }

  // ---- streaming ----------------------------------------------------------------------------------------

  function parseEvent(block) {
    var name = 'message';
    var data = [];
    block.split('\n').forEach(function (line) {
      if (line.indexOf('event:') === 0) name = line.slice(6).trim();
      else if (line.indexOf('data:') === 0) data.push(line.slice(5).replace(/^ /, ''));
    });
    if (!data.length) return null;
    return { name: name, data: JSON.parse(data.join('\n')) };
  }

  async function readEvents(response, onEvent) {
    var decoder = new TextDecoder();
    var buffer = '';
    var handle = function (flush) {
      buffer = buffer.replace(/\r\n?/g, '\n');
      var blocks = buffer.split('\n\n');
      buffer = flush ? '' : blocks.pop();
      blocks.forEach(function (b) { var ev = parseEvent(b); if (ev) onEvent(ev); });
    };
    if (!response.body || !response.body.getReader) {
      buffer = await response.text();
      handle(true);
      return;
    }
    var reader = response.body.getReader();
    for (;;) {
      var chunk = await reader.read();
      if (chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true });
      handle(false);
    }
    buffer += decoder.decode();
    handle(true);
  }

  async function streamReply(text, onToken) {
    var body = Object.assign({}, state.session, { message: text });
    var response;
    try {
      response = await fetch(api('v1/chat/stream'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
        body: JSON.stringify(body),
      });
    } catch (e) {
      throw new Failure('网络连接失败，请检查网络后重试。', true);
    }
    if (!response.ok) {
      var error = null;
      try { error = await response.json(); } catch (e) { /* not JSON */ }
      var retryable = response.status === 429 || response.status >= 500;
      throw new Failure(httpMessage(response.status, error, response.headers.get('Retry-After')), retryable);
    }
    var final = null;
    var failed = null;
    try {
      await readEvents(response, function (ev) {
        if (ev.name === 'token') onToken(ev.data.text || '');
        else if (ev.name === 'final') final = ev.data;
        else if (ev.name === 'error') failed = ev.data;
      });
    } catch (e) {
      throw new Failure('网络中断，回答没有完整收到，请重试。', true);
    }
    if (failed) throw new Failure('回答生成中断，请稍后重试。', true);
    if (!final) throw new Failure('网络中断，回答没有完整收到，请重试。', true);
    return final;
  }

  function setBusy(on) {
    busy = on;
    $('send').disabled = on;
    document.body.classList.toggle('busy', on);
    Array.prototype.forEach.call(document.querySelectorAll('.chip, .card button'), function (b) {
      if (b.id !== 'consent-yes') b.disabled = on;
    });
    if (!on) $('consent-yes').disabled = !$('consent-check').checked;
  }

  // Sends one member message; `after(reply)` runs once the reply is stored.
  async function send(text, after, shown) {
    if (busy) return false;
    clearError();
    setBusy(true);
    var userNode = shown || renderMessage({ role: 'user', text: text });
    userNode.classList.remove('failed');
    var bot = renderMessage({ role: 'bot', text: '' });
    bot.classList.add('typing');
    var p = bot.querySelector('.text');
    var streamed = '';
    scrollDown();
    try {
      var reply = await streamReply(text, function (delta) {
        streamed += delta;
        bot.classList.remove('typing');
        p.textContent = streamed;
        scrollDown();
      });
      keepSession(reply);
      userNode.remove();
      bot.remove();
      var added = [{ role: 'user', text: maskPhones(text) }, { role: 'bot', text: reply.answer, citations: reply.citations || [] }];
      if (reply.escalation) added.push(handoffNote(reply.escalation));
      state.messages = state.messages.concat(added);
      if (after) after(reply);
      updateStage(reply);
      save();
      renderAll();
      return true;
    } catch (e) {
      bot.remove();
      userNode.classList.add('failed');
      var failure = e instanceof Failure ? e : new Failure('出现错误，请重试。', true);
      showError(failure.message, failure.retryable ? function () { send(text, after, userNode); } : null);
      return false;
    } finally {
      setBusy(false);
    }
  }

  // ---- consent and the lead form ------------------------------------------------------------------------

  function loadConsent() {
    if (consentInfo) return Promise.resolve(consentInfo);
    if (!consentLoading) {
      consentLoading = fetch(api('v1/chat/consent'))
        .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
        .then(function (info) { consentInfo = info; fillConsent(info); return info; })
        .catch(function (e) { consentLoading = null; throw e; });
    }
    return consentLoading;
  }

  function fillConsent(info) {
    $('consent-text').textContent = info.text;
    info.fields.forEach(function (f) {
      var box = document.querySelector('.field[data-field="' + f.name + '"]');
      if (box) labelField(box, f);
    });
  }

  // A form field's label and error line come from here, so index.html states each field's input only.
  function labelField(box, f) {
    var field = $('f-' + f.name);
    var label = document.createElement('label');
    label.htmlFor = field.id;
    label.textContent = f.label;
    var err = document.createElement('p');
    err.className = 'err';
    err.id = 'e-' + f.name;
    err.setAttribute('aria-live', 'polite');
    box.insertBefore(label, box.firstChild);
    box.appendChild(err);
    field.setAttribute('aria-describedby', err.id);
    if (f.max_length) field.maxLength = f.max_length;
  }

  function updateStage(reply) {
    var asksConsent = consentInfo && reply.answer.indexOf(consentInfo.text) >= 0;
    if (asksConsent) state.stage = 'consent';
    else if (state.stage === 'consent') state.stage = null;
  }

  function showStage() {
    var consent = $('consent');
    var lead = $('lead');
    consent.hidden = state.stage !== 'consent' || !consentInfo;
    lead.hidden = state.stage !== 'form' || !consentInfo;
    [consent, lead].forEach(function (card) { if (!card.hidden) log.appendChild(card); });
  }

  function setStage(stage) { state.stage = stage; save(); showStage(); scrollDown(); }

  function answerConsent(granted) {
    send(granted ? '同意' : '不同意', function (reply) {
      if (granted && reply.intent === 'apply') state.stage = 'form';
      else if (!granted) state.stage = null;
    });
    $('consent-check').checked = false;
  }

  function clean(value) { return value.replace(/[\r\n；;]+/g, ' ').replace(/\s+/g, ' ').trim(); }

  function amountValue(raw) {
    var text = clean(raw).replace(/[,，\s]/g, '');
    var unit = $('f-unit').value;
    var m = /^(.*?)(万元|万|元)$/.exec(text);
    if (m) { text = m[1]; unit = m[2] === '元' ? '元' : '万'; }
    var parts = AMOUNT_RE.exec(text);
    if (!parts) return null;
    var number = parseFloat(text);
    var yuan = unit === '万' ? number * 10000 : number;
    if (!(yuan >= 1) || yuan > 1e12) return null;
    return text + (unit === '万' ? '万元' : '元');
  }

  var CHECKS = {
    name: function (v) { return v.length >= 1 ? null : '请填写您的称呼，例如：王先生'; },
    company: function (v) { return v.length >= 2 ? null : '请填写企业名称（营业执照上的全称）'; },
    phone: function (v) {
      return PHONE_RE.test(v.replace(/[\s-]/g, '')) ? null : '请填写11位中国大陆手机号，例如 13812345678';
    },
    amount: function (v) {
      return amountValue(v) ? null : '请填写融资金额的数字，并选择单位“万元”或“元”，例如 300 万元';
    },
    purpose: function (v) { return v.length >= 2 ? null : '请简要说明资金用途，例如：采购设备'; },
  };

  function checkField(name) {
    var field = $('f-' + name);
    var problem = CHECKS[name](clean(field.value));
    $('e-' + name).textContent = problem || '';
    field.setAttribute('aria-invalid', problem ? 'true' : 'false');
    field.closest('.field').classList.toggle('invalid', !!problem);
    return !problem;
  }

  function submitLead(event) {
    event.preventDefault();
    if (busy || !consentInfo) return;
    var names = consentInfo.fields.map(function (f) { return f.name; });
    var bad = names.filter(function (name) { return !checkField(name); });
    if (bad.length) { $('f-' + bad[0]).focus(); return; }
    var lines = consentInfo.fields.map(function (f) {
      var raw = $('f-' + f.name).value;
      var value = f.name === 'amount' ? amountValue(raw) : f.name === 'phone' ? raw.replace(/[\s-]/g, '') : clean(raw);
      return f.label + '：' + value;
    });
    send(lines.join('\n'), function () { state.stage = null; $('lead').reset(); });
  }

  // ---- page setup ---------------------------------------------------------------------------------------

  function applyQuery() {
    var params = new URLSearchParams(location.search);
    var title = (params.get('title') || '').trim().slice(0, 24);
    if (title) { $('title').textContent = title; document.title = title; }
    var color = params.get('color') || '';
    if (COLOR_RE.test(color)) document.documentElement.style.setProperty('--accent', color);
    if (params.get('embed') === '1' && window.parent !== window) {
      $('close').hidden = false;
      $('close').addEventListener('click', function () {
        window.parent.postMessage({ type: 'finassist-chat:close' }, '*');
      });
    }
  }

  function wire() {
    $('composer').addEventListener('submit', function (event) {
      event.preventDefault();
      var text = input.value.trim();
      if (!text || busy) return;
      input.value = '';
      grow();
      send(text);
    });
    input.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && !('ontouchstart' in window)) {
        event.preventDefault();
        $('send').click();
      }
    });
    input.addEventListener('input', grow);
    $('act-human').addEventListener('click', function () { send('转人工'); });
    $('act-apply').addEventListener('click', function () {
      loadConsent().then(function () { send('我要申请'); }, function () {
        showError('暂时无法加载个人信息收集说明，请检查网络后重试。', function () { $('act-apply').click(); });
      });
    });
    $('consent-check').addEventListener('change', function () { $('consent-yes').disabled = busy || !this.checked; });
    $('consent-yes').addEventListener('click', function () { answerConsent(true); });
    $('consent-no').addEventListener('click', function () { answerConsent(false); });
    $('lead').addEventListener('submit', submitLead);
    $('lead-cancel').addEventListener('click', function () {
      send('取消登记', function () { state.stage = null; $('lead').reset(); });
    });
    Object.keys(CHECKS).forEach(function (name) {
      var field = $('f-' + name);
      // An error clears as the member types (not on blur, which would move the submit button mid-click).
      field.addEventListener('input', function () { if (field.closest('.field').classList.contains('invalid')) checkField(name); });
      field.addEventListener('blur', function () { if (field.value) checkField(name); });
    });
    $('f-unit').addEventListener('change', function () { if ($('f-amount').value) checkField('amount'); });
    $('retry').addEventListener('click', function () { if (retryAction) retryAction(); });
    $('new-chat').addEventListener('click', function () {
      if (busy || !window.confirm('开始新对话？当前对话记录将从本设备清除。')) return;
      state = fresh();
      save();
      clearError();
      renderAll();
    });
    var net = function () { $('net').hidden = navigator.onLine !== false; };
    window.addEventListener('online', net);
    window.addEventListener('offline', net);
    net();
  }

  function grow() {
    input.style.height = 'auto';
    input.style.height = Math.min(input.scrollHeight, 120) + 'px';
  }

  applyQuery();
  wire();
  renderAll();
  loadConsent().then(renderAll, function () { /* shown when the member asks to apply */ });
})();
