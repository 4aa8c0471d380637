import { Type, type Static } from '@sinclair/typebox';
import { ProjectId, ResourceId } from '../../http/schema.js';

/** Path parameters shared by the four snapshot operations. */
export const ClusterParams = Type.Object({ project_id: ProjectId, cluster_id: ResourceId });

/**
 * logsnap extensions: the Huawei operation has no paging; logsnap answers at most 1000 tasks per
 * call (newest first) and these reach the rest.
 */
export const ListSnapshotTasksQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'logsnap extension: tasks per answer (default and maximum 1000)' })),
  offset: Type.Optional(Type.Integer({ minimum: 0, description: 'logsnap extension: tasks to skip, newest first (default 0)' })),
});

/** CreateClusterMasterSnapshotResponse (metadata model `SnapshotCluserResponseMetadata`, sic). */
export const CreateSnapshotResponse = Type.Object({
  uid: Type.String(),
  metadata: Type.Object({ apiVersion: Type.String(), kind: Type.String() }),
});

const TaskMetadata = Type.Object({
  uid: Type.Optional(Type.String()),
  creationTimestamp: Type.Optional(Type.String()),
  updateTimestamp: Type.Optional(Type.String()),
});

/** SnapshotSpecItems: sub-task details (the spec is "to be deprecated"; we fill it for failed tasks only). */
const SpecItem = Type.Object({
  id: Type.String(), type: Type.String(), status: Type.String(),
  creationTimestamp: Type.String(), updateTimestamp: Type.String(), message: Type.String(),
});

export const SnapshotTask = Type.Object({
  kind: Type.String(),
  apiVersion: Type.String(),
  metadata: TaskMetadata,
  spec: Type.Object({ items: Type.Optional(Type.Array(SpecItem)) }),
  status: Type.Object({ phase: Type.String(), progress: Type.String(), completionTime: Type.String() }),
});

/** ListClusterMasterSnapshotTasksResponse, exactly the seed's shape. */
export const ListSnapshotTasksResponse = Type.Object({
  kind: Type.String(),
  apiVersion: Type.String(),
  metadata: TaskMetadata,
  items: Type.Array(SnapshotTask),
  status: Type.Object({ latestBackupTime: Type.String() }),
});

export type SnapshotTaskT = Static<typeof SnapshotTask>;
export type ListSnapshotTasksT = Static<typeof ListSnapshotTasksResponse>;
export type CreateSnapshotT = Static<typeof CreateSnapshotResponse>;
