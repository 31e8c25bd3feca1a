/**
 * Live alerts of a role: the API process's AlertHub, fed by the live bus (this process's stored threats,
 * and with Redis those of every other process), served by the API's /ws/alerts and /api/alerts/stream.
 */
import type { Logger } from 'pino';
import { AlertHub, type LiveMessage, type LiveStats } from '../api/index.js';
import type { LiveBus, LiveBusStats } from '../bus/index.js';
import type { Config } from '../config/index.js';

export interface LiveAlerts {
  hub: AlertHub;
  /** Clients, messages sent, drops and slow-client closes, and the bus under them (for metrics). */
  stats(): { clients: LiveStats; bus: LiveBusStats };
  stop(): void;
}

export function startLiveAlerts(config: Pick<Config, 'live'>, bus: LiveBus<LiveMessage>, logger: Logger): LiveAlerts {
  const { live } = config;
  const hub = new AlertHub({
    resumeBuffer: live.resumeBuffer,
    resumeSeconds: live.resumeSeconds,
    heartbeatSeconds: live.heartbeatSeconds,
    clientMaxBytes: live.clientMaxBytes,
    clientMaxMessages: live.clientMaxMessages,
  });
  // hub.publish is synchronous and never waits for a client, so the bus calls it without queueing.
  const unsubscribe = bus.subscribe((alert) => hub.publish(alert));
  logger.debug({ stream: hub.id }, 'live alerts ready');
  return {
    hub,
    stats: () => ({ clients: hub.stats(), bus: bus.stats() }),
    stop() {
      unsubscribe();
      hub.close();
    },
  };
}
