import { Type } from '@sinclair/typebox';
import { defineRoute } from '../../route.js';
import { scopeOf } from '../../auth/scope.js';
import type { ConsoleRouteDeps } from './deps.js';

/** Comment line every so often: proxies and browsers keep an idle stream open. */
const KEEPALIVE_MS = 15_000;

/**
 * Live job changes as server-sent events (`event: job`, data: a JobEvent). Authenticated like
 * every other call, so browsers read it with fetch() and a header (EventSource cannot send one).
 * All subscribers of a process share one poll of the jobs table (readModel/live.ts).
 */
export const streamJobEvents = (d: ConsoleRouteDeps) =>
  defineRoute({
    operationId: 'StreamJobEvents', method: 'GET', url: '/logsnap/v1/events', auth: 'project-or-admin',
    summary: 'Live job changes (text/event-stream): first every active or just-ended job, then each change as it happens',
    description: 'Each event is `event: job` with a JSON job (state, progress, heartbeat, error). Admin: every project, or `project_id`; a project credential: its own project.',
    schema: { querystring: Type.Object({ project_id: Type.Optional(Type.String({ maxLength: 64 })) }), response: {} },
    handler: async (req, reply) => {
      const scope = scopeOf(req, req.query.project_id);
      const res = reply.raw;
      reply.hijack();
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
        'X-Request-Id': req.id,
      });
      res.write('retry: 3000\n\n');
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        clearInterval(keepalive);
        unsubscribe?.();
        res.end();
      };
      const keepalive = setInterval(() => res.write(': keep-alive\n\n'), KEEPALIVE_MS);
      let unsubscribe: (() => void) | undefined;
      req.raw.on('close', end);
      res.on('error', end);
      try {
        unsubscribe = await d.live.subscribe({
          projectId: scope.projectId ?? null,
          send: (e) => {
            if (!ended) res.write(`event: job\nid: ${e.id}:${e.updated_at}\ndata: ${JSON.stringify(e)}\n\n`);
          },
          end,
        });
        if (ended) unsubscribe();
      } catch (err) {
        req.log.warn({ err }, 'live events: subscription failed');
        end();
      }
    },
  });
