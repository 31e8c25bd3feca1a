/**
 * Notifications (#15): alerts to a signed webhook, Slack and e-mail, with routes, throttling, retries and dead
 * letters. Pure parts (template, signature, routes, throttle, backoff, message formats) beside the I/O
 * (http-post, the channels, delivery); the runtime adds `Notifier` to the sinks (src/runtime/outputs.ts).
 */
export { notifyConfigSchema, notifyEnabled, type ChannelConfig, type NotifyConfig, type RouteConfig } from './config.js';
export { buildChannel, buildChannels } from './channels.js';
export { Notifier, type NotifierOptions, type NotifierStats } from './notifier.js';
export { ChannelDelivery, type ChannelStats, type DeadLetterSink, type DeliveryEvents } from './delivery.js';
export { retryDeadLetter, type RetryOutcome } from './retry.js';
export { sampleNotification } from './sample.js';
export { notificationOf } from './alert.js';
export { signBody, signatureHeaders, verifySignature, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signature.js';
export { compileTemplate, renderBody, renderTemplate, TemplateError } from './template.js';
export { slackMessage } from './slack.js';
export { emailMessage } from './email-message.js';
export { ChannelError, FIELDS, type Channel, type Notification } from './types.js';
