/**
 * CloudEvents 1.0, structured JSON mode (https://github.com/cloudevents/spec, json-format.md):
 * the whole event is the HTTP body, `Content-Type: application/cloudevents+json`.
 */
export interface CloudEvent<D = unknown> {
  specversion: '1.0';
  /** unique per event; the same on every delivery attempt (de-duplicate on it) */
  id: string;
  /** URI-reference of the producer context: `/projects/<project>/<service>/clusters/<cluster>` */
  source: string;
  type: string;
  /** RFC 3339, when the change happened (the state change's own transaction) */
  time: string;
  /** the record, task, snapshot or file the event is about */
  subject?: string;
  datacontenttype: 'application/json';
  data: D;
}

export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';

export function cloudEvent<D>(e: { id: string; source: string; type: string; time: number; subject?: string | null; data: D }): CloudEvent<D> {
  const out: CloudEvent<D> = {
    specversion: '1.0', id: e.id, source: e.source, type: e.type, time: new Date(e.time).toISOString(),
    datacontenttype: 'application/json', data: e.data,
  };
  if (e.subject) out.subject = e.subject;
  return out;
}

/** The source of an event about a project's cluster (or the project itself). */
export function sourceOf(projectId: string, service?: string | null, clusterId?: string | null): string {
  const base = `/projects/${projectId}`;
  if (!service) return base;
  return clusterId ? `${base}/${service}/clusters/${encodeURIComponent(clusterId)}` : `${base}/${service}`;
}
