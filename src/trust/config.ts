import { Type } from '@sinclair/typebox';
import { defineSection } from '../config/section.js';

/** Backup trust: scheduled verification, catalogue rebuild on start, encryption at rest (docs/storage.md). */
export const trustSection = defineSection({
  key: 'trust',
  schema: Type.Object(
    {
      /** re-read and check every artifact every N hours (one run per slot across processes); 0 turns the schedule off */
      verifyEveryHours: Type.Integer({ default: 24, minimum: 0, maximum: 8760 }),
      /** on start, when the database holds no record and the store holds manifests: rebuild the catalogue from them */
      rebuildOnStart: Type.Boolean({ default: false }),
      /** projects (ids or names) whose new artifacts are written encrypted; a comma-separated list in the environment */
      encryptedProjects: Type.Union([Type.Array(Type.String({ minLength: 1 })), Type.String()], { default: [] }),
    },
    { additionalProperties: false },
  ),
  env: {
    LOGSNAP_VERIFY_EVERY_HOURS: 'verifyEveryHours',
    LOGSNAP_REBUILD_ON_START: 'rebuildOnStart',
    LOGSNAP_ENCRYPTED_PROJECTS: 'encryptedProjects',
  },
});

/** `encryptedProjects` as a list, whichever way it was given. */
export function encryptedProjectList(v: string | string[]): string[] {
  return (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean);
}
