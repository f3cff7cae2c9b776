import { parentPort } from 'node:worker_threads';
import { renderField } from './markdown.js';
import type { RenderReply, RenderRequest } from './rendering.js';

// The rendering worker (rendering.ts): one field at a time, so a field that takes too long can be
// attributed and the worker terminated without touching the server's event loop.
const port = parentPort!;
port.on('message', (m: RenderRequest) => port.postMessage({ id: m.id, ...renderField(m.md, m.inline) } satisfies RenderReply));
port.postMessage({ ready: true });
