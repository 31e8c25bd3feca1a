/** The part of src/notify that config validation needs: its schema, no channels and no I/O. */
export { notifyConfigSchema, type NotifyConfig } from './config.js';
