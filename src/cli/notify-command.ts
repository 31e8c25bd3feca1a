/**
 * `rampart notify test <channel>`: sends a sample alert through one configured channel and says in one line
 * whether the receiver took it or what it answered; exit 1 on failure (2 for a config mistake, as every command).
 */
import type { Command } from 'commander';
import { BadRequestError } from '../core/index.js';
import { buildChannel, ChannelError, sampleNotification } from '../notify/index.js';
import { addConfigFlag, loadWithFlags, type CommonFlags } from './flags.js';
import type { CliIO } from './io.js';

export function registerNotify(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const notify = program.command('notify').description('send alerts to webhooks, Slack and e-mail: test a channel');
  const test = notify
    .command('test <channel>')
    .description('send a sample alert through a channel configured under notify.channels; exit 1 when it fails');
  addConfigFlag(test);
  test.action(async (name: string, opts: CommonFlags) => {
    const { config } = loadWithFlags(opts, io);
    const channels = config.notify.channels;
    const conf = Object.hasOwn(channels, name) ? channels[name] : undefined;
    if (!conf) {
      const known = Object.keys(channels);
      throw new BadRequestError(
        `no channel named ${JSON.stringify(name.slice(0, 64))} under notify.channels${known.length ? ` (configured: ${known.join(', ')})` : ' (none is configured)'}`,
      );
    }
    const channel = buildChannel(name, conf, io.env);
    try {
      await channel.send(sampleNotification(Date.now()));
      io.out(`notify test: ${channel.type} ${name}: delivered\n`);
    } catch (err) {
      const message = err instanceof ChannelError ? err.message : `${channel.type} ${name}: ${(err as Error).message}`;
      io.err(`rampart notify test: ${message.replace(/\s+/g, ' ')}\n`);
      setExit(1);
    } finally {
      channel.close?.();
    }
  });
}
