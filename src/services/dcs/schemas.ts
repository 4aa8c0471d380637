import { Type, type Static } from '@sinclair/typebox';
import { ProjectId, ResourceId } from '../../http/schema.js';

/** Path of every DCS run-log operation. */
export const InstanceParams = Type.Object({ project_id: ProjectId, instance_id: ResourceId });

/** `log_type`: only `run` (Redis run log). */
export const LogType = Type.Unsafe<'run'>({ type: 'string', enum: ['run'], description: 'Log type; only `run` (Redis run log).' });

/** One run-log file, exactly the fields of the SDK's `RunlogItem`. */
export const RunlogItem = Type.Object(
  {
    id: Type.String({ description: 'Unique log file ID (use it for the download link).' }),
    file_name: Type.String({ description: 'redis_<replica ip>_<yyyy-mm-dd>.log' }),
    group_name: Type.String({ description: 'Shard name, e.g. group-0.' }),
    replication_ip: Type.String({ description: 'IP of the replica the log came from.' }),
    status: Type.String({ description: 'collecting | succeed | failed' }),
    time: Type.String({ description: 'The day the file covers, yyyy-MM-dd (Redis host calendar).' }),
    backup_id: Type.String({ description: 'Log file ID (equals id).' }),
  },
  { additionalProperties: false },
);
export type RunlogItemT = Static<typeof RunlogItem>;

export const NoContent = Type.Null({ description: 'No content.' });
