// A scripted OpenAI-compatible chat-completions server on 127.0.0.1 that stands in for the LLM.
// Tests queue the replies (text, or tool calls) and read back every request the agent made.
// Streams like OpenAI (SSE chunks, [DONE]) when asked to.
import http from 'node:http';

export async function startScriptedModel() {
  const script = [];
  const requests = [];
  const waiters = new Set();
  let nextId = 0;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url, 'http://x');
      if (req.method === 'GET' && url.pathname.endsWith('/models')) {
        return json(res, { object: 'list', data: [{ id: 'scripted', object: 'model', owned_by: 'test' }] });
      }
      if (req.method !== 'POST' || !url.pathname.endsWith('/chat/completions')) return json(res, { error: { message: 'not found' } }, 404);
      const body = JSON.parse(Buffer.concat(chunks).toString() || '{}');
      requests.push(body);
      for (const w of waiters) w();
      const step = script.shift() ?? { text: 'Done.' };
      const answer = typeof step === 'function' ? step(body) : step;
      // { status, message }: the provider fails this request (e.g. 503 overloaded).
      if (answer.status) return json(res, { error: { message: answer.message ?? 'scripted failure', type: 'server_error' } }, answer.status, answer.headers);
      reply(res, body, answer, nextId++);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    port,
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    /** Queues replies: { text }, { toolCalls: [{ name, arguments }] }, { status, message } (a failed request), or a function of the request. */
    queue(...steps) { script.push(...steps); },
    /** Resolves when the agent has made `n` requests in all. */
    waitForRequests(n, timeoutMs = 30000) {
      return new Promise((resolve, reject) => {
        const check = () => { if (requests.length >= n) { waiters.delete(check); clearTimeout(t); resolve(requests[n - 1]); return true; } return false; };
        const t = setTimeout(() => { waiters.delete(check); reject(new Error(`the agent made ${requests.length} model requests, expected ${n}`)); }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    /** Drops replies still queued (a stopped run may leave some). */
    clear() { script.length = 0; },
    close() { return new Promise((r) => { server.closeAllConnections?.(); server.close(r); }); },
  };
}

function json(res, body, status = 200, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function reply(res, request, step, n) {
  const id = `chatcmpl-${n}`;
  const created = Math.floor(Date.now() / 1000);
  const toolCalls = (step.toolCalls ?? []).map((c, i) => ({
    index: i, id: `call_${n}_${i}`, type: 'function',
    function: { name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments ?? {}) },
  }));
  const finish = toolCalls.length ? 'tool_calls' : 'stop';
  const usage = { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 };
  if (!request.stream) {
    return json(res, {
      id, object: 'chat.completion', created, model: request.model,
      choices: [{ index: 0, message: { role: 'assistant', content: step.text ?? null, ...(toolCalls.length ? { tool_calls: toolCalls.map(({ index, ...c }) => c) } : {}) }, finish_reason: finish }],
      usage,
    });
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const send = (delta, finishReason = null, extra = {}) => res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: request.model, choices: [{ index: 0, delta, finish_reason: finishReason }], ...extra })}\n\n`);
  send({ role: 'assistant', content: '' });
  if (step.text) for (const piece of step.text.match(/[\s\S]{1,200}/g)) send({ content: piece });
  if (toolCalls.length) send({ tool_calls: toolCalls });
  send({}, finish);
  res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: request.model, choices: [], usage })}\n\n`);
  res.write('data: [DONE]\n\n');
  res.end();
}
