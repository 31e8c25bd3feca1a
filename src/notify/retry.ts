/**
 * Sending a dead letter again, once, through its channel as configured now: on success the row is removed, on
 * failure it keeps the new error and one more attempt. Used by POST /api/notifications/dead-letters/:id/retry.
 */
import type { DeadLetter, DeadLetterRepository } from '../store/index.js';
import { ChannelError, type Channel, type Notification } from './types.js';

export type RetryOutcome =
  | { status: 'not-found' }
  | { status: 'no-channel'; channel: string }
  | { status: 'delivered'; id: number; channel: string }
  | { status: 'failed'; id: number; channel: string; error: string; letter: DeadLetter | null };

export async function retryDeadLetter(
  repo: Pick<DeadLetterRepository, 'get' | 'remove' | 'retryFailed'>,
  channels: ReadonlyMap<string, Channel>,
  id: number,
  now: number,
): Promise<RetryOutcome> {
  const letter = await repo.get(id);
  if (!letter) return { status: 'not-found' };
  const channel = channels.get(letter.channel);
  if (!channel) return { status: 'no-channel', channel: letter.channel };
  try {
    await channel.send(letter.notification as unknown as Notification);
  } catch (err) {
    const error = err instanceof ChannelError ? err.message : `${channel.type} ${channel.name}: ${(err as Error).message}`;
    return { status: 'failed', id, channel: letter.channel, error, letter: await repo.retryFailed(id, error, now) };
  }
  await repo.remove(id);
  return { status: 'delivered', id, channel: letter.channel };
}
