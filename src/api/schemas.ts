/** Schemas shared by several routes, added once at the root so every scope can `$ref` them by $id. */
import * as z from 'zod';
import { detectionJson, ipWindowJson, threatJson } from '../store/index.js';
import { apiErrorSchema } from './errors.js';
import { responseJsonSchema, sharedRef } from './response-schema.js';

// The record shapes are defined once in the store (threat-record.ts, ip-window-record.ts); here they become
// the OpenAPI components routes refer to (`{ $ref: 'Threat#' }`), a threat's detections by reference.
export const detectionJsonSchema = responseJsonSchema('Detection', detectionJson);
export const threatJsonSchema = responseJsonSchema('Threat', threatJson.extend({ detections: z.array(sharedRef(detectionJson, 'Detection')) }));
export const ipWindowJsonSchema = responseJsonSchema('IpWindow', ipWindowJson);

export const SHARED_SCHEMAS = [apiErrorSchema, detectionJsonSchema, threatJsonSchema, ipWindowJsonSchema] as const;
