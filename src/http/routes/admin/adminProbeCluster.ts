import { Type } from '@sinclair/typebox';
import { defineRoute } from '../../route.js';
import { appError } from '../../errors/catalogue.js';
import { ClusterValidationError, SERVICE_NAMES, type ServiceName } from '../../../clusters/clusters.js';
import { ProbeResponse } from '../console/schemas.js';
import { mustProject, ProjectId } from './shared.js';
import type { AdminConsoleDeps } from './deps.js';

/**
 * Test connection: really reach the engine (CSS: list the log folders; DCS: PING and find the log;
 * CCE: etcd status; DWS: `select 1`). For a registered cluster (`cluster_id`) the stored engine is
 * used, or the edited `engine` with its masked secrets filled in from the stored one; without
 * `cluster_id`, the `engine` as given (before registering it).
 */
export const adminProbeCluster = (d: AdminConsoleDeps) =>
  defineRoute({
    operationId: 'AdminProbeCluster', method: 'POST', url: '/admin/v1/projects/:project_id/clusters/probe', auth: 'admin',
    summary: 'Test a cluster\'s engine connection for real (log folders, PING, etcd status, select 1)',
    schema: {
      params: Type.Object({ project_id: ProjectId }),
      body: Type.Object({
        cluster_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        service: Type.Optional(Type.Union(SERVICE_NAMES.map((s) => Type.Literal(s)))),
        engine: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      }, { additionalProperties: false }),
      response: { 200: ProbeResponse },
    },
    handler: async (req) => {
      await mustProject(d.projects, req.params.project_id);
      let service = req.body.service as ServiceName | undefined;
      let engine: unknown = req.body.engine;
      if (req.body.cluster_id) {
        const c = await d.clusters.getAny(req.body.cluster_id);
        if (!c || c.project_id !== req.params.project_id) throw appError('LOGSNAP.0404', `Cluster ${req.body.cluster_id} does not exist in this project.`);
        if (service && service !== c.service) throw appError('LOGSNAP.0400', `Cluster ${c.id} is a ${c.service} cluster, not ${service}.`);
        service = c.service;
        engine = engine === undefined ? c.engine : d.clusters.unredact(c, engine);
      }
      if (!service || engine === undefined) throw appError('LOGSNAP.0400', 'Send "cluster_id", or "service" and "engine".');
      try {
        d.clusters.validate(service, engine);
      } catch (e) {
        if (e instanceof ClusterValidationError) throw appError('LOGSNAP.0400', e.message);
        throw e;
      }
      const spec = d.engines[service];
      if (!spec?.probe) throw appError('LOGSNAP.0400', `The ${service} service has no connection test.`);
      const t = Date.now();
      const checks = await spec.probe(engine, { timeoutMs: d.probeTimeoutMs });
      return { ok: checks.length > 0 && checks.every((c) => c.ok), service, took_ms: Date.now() - t, checks };
    },
  });
