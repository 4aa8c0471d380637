import { Type } from '@sinclair/typebox';
import { appError } from '../../http/errors/catalogue.js';
import type { Projects } from '../../projects/projects.js';
import { WebhookInputError } from '../webhooks.js';

export const ProjectId = Type.String({ pattern: '^[a-f0-9]{32}$' });
export const WebhookParams = Type.Object({ project_id: ProjectId });
export const WebhookIdParams = Type.Object({ project_id: ProjectId, id: Type.String({ maxLength: 64 }) });

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const WebhookView = Type.Object({
  id: Type.String(),
  project_id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String(), { description: 'type filters; "*" = every event' }),
  enabled: Type.Boolean(),
  description: Nullable(Type.String()),
  created_by: Nullable(Type.String()),
  created_at: Type.Number(),
  updated_at: Type.Number(),
});

const fields = {
  url: Type.String({ minLength: 8, maxLength: 2048, description: 'http(s) URL of the receiver' }),
  secret: Type.String({ minLength: 16, maxLength: 256, description: 'signing secret (HMAC-SHA256); generated when left out; never returned after creation' }),
  events: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 50, description: 'event types or patterns (logsnap.css.*, *.failed); default: all' }),
  enabled: Type.Boolean({ description: 'default true' }),
  description: Type.String({ maxLength: 255 }),
};

export const CreateWebhookBody = Type.Object({
  url: fields.url,
  secret: Type.Optional(fields.secret),
  events: Type.Optional(fields.events),
  enabled: Type.Optional(fields.enabled),
  description: Type.Optional(fields.description),
});

export const UpdateWebhookBody = Type.Object({
  url: Type.Optional(fields.url),
  secret: Type.Optional(fields.secret),
  events: Type.Optional(fields.events),
  enabled: Type.Optional(fields.enabled),
  description: Type.Optional(fields.description),
});

export const WebhookWithSecret = Type.Object({
  webhook: WebhookView,
  secret: Type.Optional(Type.String({ description: 'only when logsnap generated it: shown this once' })),
});

export async function mustProject(projects: Projects, id: string): Promise<void> {
  if (!(await projects.get(id))) throw appError('LOGSNAP.0404', `Project ${id} does not exist.`);
}

/** Input problems (bad URL, SSRF refusal, unknown event) are 400 LOGSNAP.0400 with the reason. */
export async function asInputError<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof WebhookInputError) throw appError('LOGSNAP.0400', undefined, e.message);
    throw e;
  }
}

export const notFound = (id: string) => appError('LOGSNAP.0404', `Webhook ${id} does not exist in this project.`);
