export { AlertHub, LiveClient, CLOSE_GOING_AWAY, CLOSE_NO_PONG, CLOSE_SLOW, LIVE_DEFAULTS, type LiveConnection, type LiveHubOptions, type LiveStats } from './hub.js';
export { ALERT_TYPES, ThreatAlert, liveAlertOf, liveAlertOfThreat, type AlertType, type DecisionJson, type LiveAlert, type LiveMessage, type PendingAlert, type ServerMessage } from './message.js';
export { matches, parseSubscribeFilter, type AlertFilter } from './filter.js';
