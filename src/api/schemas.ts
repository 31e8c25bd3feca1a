/** Schemas shared by several routes, added once at the root so every scope can `$ref` them by $id. */
import { apiErrorSchema } from './errors.js';
import { detectionJsonSchema, threatJsonSchema } from './routes/threat-json.js';
import { ipWindowJsonSchema } from './routes/window-json.js';

export const SHARED_SCHEMAS = [apiErrorSchema, detectionJsonSchema, threatJsonSchema, ipWindowJsonSchema] as const;
